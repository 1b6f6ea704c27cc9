/**
 * CPU-only benchmark section, run in its own process by `bench/run.ts`: map 100,000 NinjaOne users
 * with the benchmark integration and plan them against 60,000 Oomnitza users (50,000 matching,
 * half of them with a stale field), with no HTTP. Prints one JSON object.
 *
 * Modes: `sandbox` (the default) maps as runs do, through the expression sandbox; `jsonata` adds a
 * custom field only JSONata answers (`$join(roles, ', ')`), so every record goes through the
 * sandbox's child process; `jsonata-direct` maps that on this thread, as before the sandbox, for
 * comparison. `cpuMs` counts this process and its children (the sandbox) alike.
 *
 * @example
 * node --import tsx bench/map-plan.ts 100000 jsonata
 */
import { readdirSync, readFileSync } from 'node:fs';

import { readExpressionLimits } from '../src/config.ts';
import { compileMapping } from '../src/mapping/compile.ts';
import { compileSandboxedMapping, runBudget } from '../src/mapping/sandbox/sandboxed-mapping.ts';
import { toSourceUser } from '../src/ninjaone/source.ts';
import { buildDestinationIndex } from '../src/sync/destination-index.ts';
import { type MappedRecord, planUsers } from '../src/sync/plan.ts';
import { benchIntegration } from './integration.ts';
import { measure } from './measure.ts';

import type { NinjaOneUser } from '../src/ninjaone/types.ts';
import type { DestinationUser } from '../src/sync/ports.ts';

const count = Number(process.argv[2] ?? 100_000);
const mode = process.argv[3] ?? 'sandbox';
if (!['sandbox', 'jsonata', 'jsonata-direct'].includes(mode)) throw new Error(`unknown mode ${mode}: sandbox, jsonata or jsonata-direct`);

/** CPU milliseconds of this process's live children (the sandbox's, kept warm after use), from /proc; 0 elsewhere. */
function childrenCpuMs(): number {
  let ms = 0;
  try {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        if (Number(fields[1]) === process.pid) ms += (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return 0;
  }
  return ms;
}
const matching = Math.floor(count / 2);

function makeUsers(n: number): NinjaOneUser[] {
  const users: NinjaOneUser[] = [];
  for (let i = 1; i <= n; i++) {
    const technician = i % 10 === 0;
    users.push({
      id: i,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      firstName: `First${i}`,
      lastName: `Last${i}`,
      email: `user${i}@bench.example`,
      phone: i % 3 === 0 ? null : `+1 555 ${String(i).padStart(7, '0')}`,
      enabled: i % 50 !== 0,
      administrator: false,
      userType: technician ? 'TECHNICIAN' : 'END_USER',
      invitationStatus: 'REGISTERED',
      organizationId: technician ? null : (i % 40) + 1,
      deviceIds: [],
      roles: technician ? ['Technician'] : ['End user'],
    });
  }
  return users;
}

/** What Oomnitza holds: the first half of the users (every other one with a stale last name), plus strangers. */
function makeDestination(users: readonly NinjaOneUser[]): DestinationUser[] {
  const destination: DestinationUser[] = [];
  for (const user of users.slice(0, matching)) {
    const stale = user.id % 2 === 0;
    const lastName = stale ? `${user.lastName ?? ''}-old` : (user.lastName ?? '');
    destination.push({
      id: String(100_000 + user.id),
      fields: {
        email: user.email,
        username: user.email,
        first_name: user.firstName,
        last_name: lastName,
        full_name: `${user.firstName ?? ''} ${lastName}`,
        phone_number: user.phone ?? null,
        external_id: user.uid,
        position: user.userType === 'TECHNICIAN' ? 'Technician' : 'End user',
      },
    });
  }
  for (let i = 1; i <= 10_000; i++)
    destination.push({ id: String(900_000 + i), fields: { email: `stranger${i}@elsewhere.example`, username: `stranger${i}` } });
  return destination;
}

const users = makeUsers(count);
const destinationUsers = makeDestination(users);
const integration = benchIntegration({
  ninjaoneUrl: 'https://bench.rmmservice.com',
  oomnitzaUrl: 'https://bench.oomnitza.com',
  apiToken: 'unused',
});
if (mode !== 'sandbox') {
  (integration as { customFields: Record<string, string> }).customFields['roleList'] = "$join(roles, ', ')";
  (integration as { mapping: Record<string, unknown> }).mapping['notes'] = 'roleList';
}
const compiled =
  mode === 'jsonata-direct'
    ? compileMapping(integration)
    : compileSandboxedMapping(integration, runBudget(readExpressionLimits(process.env)));
const context = { runStartedAt: new Date(), organizations: new Map(), devices: new Map() };

const childrenBefore = childrenCpuMs();
const measured = await measure(async () => {
  // NinjaOne's users as the source yields them (the normalisation moved there), then mapped.
  const mapped = await compiled.mapAll(users.map(toSourceUser), context);
  const records: MappedRecord[] = [];
  for (const outcome of mapped) if (outcome.kept) records.push(outcome.record);
  const index = buildDestinationIndex(destinationUsers, integration.syncKeys);
  const plan = planUsers({
    records,
    syncKeys: integration.syncKeys,
    preference: integration.preference,
    updateSyncKeys: integration.updateSyncKeys,
    destination: index,
  });
  return { mapped: mapped.length, kept: records.length, plan: plan.counts };
});

const childrenMs = childrenCpuMs() - childrenBefore;
process.stdout.write(
  `${JSON.stringify({ records: count, destination: destinationUsers.length, mode, ...measured, cpuMs: measured.cpuMs + childrenMs, childrenCpuMs: childrenMs })}\n`,
);
