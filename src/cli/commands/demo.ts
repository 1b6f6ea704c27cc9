/**
 * `ninja-sync demo`: the README's first command. Starts both emulators in this process, gives
 * Oomnitza a few of NinjaOne's people with out-of-date details, runs a real sync over HTTP with the
 * client credentials grant, changes a few NinjaOne users through the emulator's admin API, and runs
 * again to show that only those changes are written. Runs are stored in ./data like any other; Ctrl-C
 * cancels the sync in hand, as it does `ninja-sync run`'s (exit 3, stored as canceled).
 *
 * @example
 * ninja-sync demo
 */
import { openDatabase } from '../../db/open-database.ts';
import { allowPrivateVendorHosts } from '../../http/vendor-hosts.ts';
import { type Integration, integrationSchema } from '../../integrations/schema.ts';
import { buildClients } from '../build-clients.ts';
import { type RunningEmulators, startEmulators } from '../emulators.ts';
import { exitCodes } from '../exit-codes.ts';
import { cancelOnSignal } from '../interrupt.ts';
import { runOnce, type RunOnceResult } from '../run-once.ts';
import { formatChanges, formatSummary, table } from '../summary.ts';

import type { NinjaOneWorld } from '../../../emulators/ninjaone/index.ts';
import type { FieldChange } from '../../sync/ports.ts';
import type { CliIo } from '../io.ts';

export interface DemoOptions {
  readonly dataDir: string;
  readonly users: number;
  readonly seed: number;
}

type WorldUser = NinjaOneWorld['users'][number];

export async function demoCommand(io: CliIo, options: DemoOptions): Promise<number> {
  const say = (text = '') => io.out(`${text}\n`);
  say('ninja-sync demo');
  say('===============');
  say('Two emulators start on this machine: NinjaOne (where the users come from) and Oomnitza (where');
  say('they are kept in step). The sync talks to them over HTTP exactly as it talks to real tenants.');
  say();

  // The emulators listen on loopback: the one place vendor calls go to this machine by design.
  allowPrivateVendorHosts(true);
  let emulators: RunningEmulators;
  try {
    emulators = await startEmulators({ seed: options.seed, users: options.users });
  } catch (error) {
    io.err(`ninja-sync demo: could not start the emulators: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  }
  let database;
  try {
    database = await openDatabase({ databaseUrl: io.env['DATABASE_URL'], dataDir: options.dataDir });
  } catch (error) {
    await emulators.close();
    io.err(`ninja-sync demo: cannot open the run store in ${options.dataDir}: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  }

  // Ctrl-C cancels the sync in hand, which is stored as canceled, never left "running".
  const interrupt = cancelOnSignal((signal) => io.err(`\n${signal}: canceling at the next safe point (again to quit at once)...\n`));
  const canceled = (run: RunOnceResult): boolean => run.summary.state === 'canceled' || interrupt.signal.aborted;
  try {
    const { ninjaone, oomnitza } = emulators;
    say(
      `1. NinjaOne emulator at ${ninjaone.url} with ${ninjaone.world.users.length} users (client app demo-m2m, client credentials grant).`,
    );
    say(`   Oomnitza emulator at ${oomnitza.url} (API token in the Authorization2 header).`);

    const stale = pickPeople(ninjaone.world.users, 3);
    for (const person of stale) await createStaleCopy(oomnitza.url, oomnitza.apiToken, person);
    say(`   Oomnitza already knows ${stale.length} of these people, with out-of-date details:`);
    for (const person of stale) say(`     ${clean(person.email)}  (last name "${staleLastName(person)}", phone "${stalePhone}")`);
    say();

    const integration = demoIntegration(ninjaone.url, oomnitza.url, oomnitza.apiToken);
    say('2. The integration: match people by email (the sync key); map email, username, first and last');
    say('   name, full name (a JSONata expression), phone and the NinjaOne uid.');
    say();

    const clients = await buildClients(integration, { dataDir: options.dataDir, env: io.env, concurrency: 8 });
    if (!clients.ok) throw new Error(clients.message);

    say('3. First sync');
    const first = await runOnce({
      db: database.db,
      integration,
      source: clients.source,
      destination: clients.destination,
      io,
      dryRun: false,
      concurrency: 8,
      progress: true,
      sampleLimit: 50,
      signal: interrupt.signal,
    });
    if (canceled(first)) {
      io.out(formatSummary(first.summary));
      return exitCodes.canceled;
    }
    showRun(say, first, { created: 4 });
    say('   The records not synced are the awkward cases real tenants have: a user without an email cannot');
    say('   be matched, and users who share one email (in any case) are all refused rather than guessed.');
    say('   They are reported, and the run goes on ("completed with errors", exit code 2 for `run`).');
    say();
    const writesAfterFirst = countWrites(oomnitza.knobs.log);

    const changed = await changeNinjaOneUsers(ninjaone.url, ninjaone.world.users, stale);
    say("4. Meanwhile, in NinjaOne (through the emulator's admin API):");
    for (const line of changed) say(`     ${line}`);
    say();

    say('5. Second sync');
    const second = await runOnce({
      db: database.db,
      integration,
      source: clients.source,
      destination: clients.destination,
      io,
      dryRun: false,
      concurrency: 8,
      progress: true,
      sampleLimit: 50,
      signal: interrupt.signal,
    });
    if (canceled(second)) {
      io.out(formatSummary(second.summary));
      return exitCodes.canceled;
    }
    showRun(say, second, { created: 10, problemsShownBefore: first.summary.problemTotal });
    const secondWrites = countWrites(oomnitza.knobs.log) - writesAfterFirst;
    say(`   Oomnitza received ${secondWrites} write request${secondWrites === 1 ? '' : 's'} in the second sync: only the changes above.`);
    say(`   The ${second.summary.counts.unchanged} unchanged people cost no write.`);
    say();

    say(`Both runs are stored in ${database.dialect === 'sqlite' ? `${options.dataDir}/ninja-sync.db` : 'PostgreSQL (DATABASE_URL)'}:`);
    say('  ninja-sync runs list');
    say(`  ninja-sync runs show ${second.summary.runId.slice(0, 8)}`);
    say('Next: `ninja-sync emulate` keeps the emulators running for your own tries, and');
    say('examples/ninjaone-users.yaml is a commented integration file for `ninja-sync run --config`.');
    const ok = first.summary.state !== 'failed' && second.summary.state !== 'failed';
    return ok ? exitCodes.ok : exitCodes.failed;
  } catch (error) {
    io.err(`ninja-sync demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  } finally {
    interrupt.dispose();
    await database.close();
    await emulators.close();
  }
}

function showRun(
  say: (text?: string) => void,
  done: RunOnceResult,
  limits: { readonly created: number; readonly problemsShownBefore?: number },
): void {
  // The second sync's records that were not synced are the first one's: say so instead of repeating them.
  const repeat = limits.problemsShownBefore !== undefined && limits.problemsShownBefore === done.summary.problemTotal;
  const summary = repeat ? { ...done.summary, problems: [], problemTotal: 0 } : done.summary;
  for (const line of formatSummary(summary).trimEnd().split('\n')) say(line ? `   ${line}` : '');
  if (repeat) {
    say();
    say(`   The same ${done.summary.problemTotal} records as in the first sync were not synced, for the same reasons.`);
  }
  const { samples } = done;
  const written = [
    ...samples.created.slice(0, limits.created).map((r) => ['created', r.label, newValues(r.changes)]),
    ...samples.updated.map((r) => ['updated', r.label, formatChanges(r.changes)]),
  ];
  if (written.length > 0) {
    say();
    const more = samples.created.length > limits.created ? ` (${limits.created} of the created shown)` : '';
    say(`   Written to Oomnitza${more}:`);
    for (const line of table(written, ['left', 'left', 'left'])) say(`     ${line}`);
  }
  say();
}

/** `first_name "Ann", last_name "Lee", ...` for a created record: the values it was given. */
function newValues(changes: readonly FieldChange[]): string {
  return changes
    .filter((c) => ['first_name', 'last_name', 'phone_number'].includes(c.field) && c.new !== null && c.new !== '')
    .map((c) => `${c.field} ${JSON.stringify(c.new)}`)
    .join(', ');
}

/** People with a plain, unique email: good to show as stale copies in Oomnitza. */
function pickPeople(users: readonly WorldUser[], count: number): WorldUser[] {
  const emails = new Map<string, number>();
  for (const user of users) {
    const key = clean(user.email);
    if (key) emails.set(key, (emails.get(key) ?? 0) + 1);
  }
  return users
    .filter(
      (u) =>
        u.enabled &&
        u.email !== null &&
        u.email === u.email.trim().toLowerCase() &&
        emails.get(clean(u.email)) === 1 &&
        /^[\x20-\x7e]+$/.test(`${u.firstName ?? ''}${u.lastName ?? ''}`),
    )
    .slice(-count - 2, -2);
}

const stalePhone = '+1 555 0000';
function staleLastName(person: WorldUser): string {
  return `${(person.lastName ?? '').trim()}-Old`;
}

function clean(email: string | null): string {
  return (email ?? '').trim().toLowerCase();
}

async function createStaleCopy(url: string, apiToken: string, person: WorldUser): Promise<void> {
  const email = clean(person.email);
  const response = await fetch(`${url}/api/v3/users`, {
    method: 'POST',
    headers: { Authorization2: apiToken, 'content-type': 'application/json' },
    body: JSON.stringify({
      username: email,
      email,
      first_name: (person.firstName ?? '').trim(),
      last_name: staleLastName(person),
      phone_number: stalePhone,
    }),
  });
  if (!response.ok) throw new Error(`could not prepare the Oomnitza emulator (${response.status} for ${email})`);
}

/** Renames one user, changes another's phone and adds a new hire; returns what was done, in words. */
async function changeNinjaOneUsers(url: string, users: readonly WorldUser[], avoid: readonly WorldUser[]): Promise<string[]> {
  const candidates = pickPeople(users, 8).filter((u) => !avoid.includes(u));
  const [renamed, rephoned] = candidates;
  if (!renamed || !rephoned) throw new Error('the demo tenant is too small to change users; use --users 20 or more');
  const admin = async (method: string, path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${url}/__admin${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`the NinjaOne emulator refused ${method} ${path} (${response.status})`);
  };
  await admin('PATCH', `/users/${renamed.id}`, { lastName: 'Fontaine' });
  await admin('PATCH', `/users/${rephoned.id}`, { phone: '+44 20 7946 0321' });
  await admin('POST', '/users', { userType: 'END_USER', firstName: 'Noor', lastName: 'Haddad', email: 'noor.haddad@example.com' });
  return [
    `${clean(renamed.email)}: last name "${renamed.lastName ?? ''}" → "Fontaine"`,
    `${clean(rephoned.email)}: phone "${rephoned.phone ?? ''}" → "+44 20 7946 0321"`,
    'noor.haddad@example.com: a new hire, Noor Haddad',
  ];
}

function countWrites(log: readonly { readonly method: string; readonly path: string }[]): number {
  return log.filter((e) => e.path.startsWith('/api/') && e.method !== 'GET').length;
}

function demoIntegration(ninjaoneUrl: string, oomnitzaUrl: string, apiToken: string): Integration {
  return integrationSchema.parse({
    name: 'Demo: NinjaOne users',
    source: { url: ninjaoneUrl, clientId: 'demo-m2m', clientSecret: 'demo-m2m-secret', scopes: 'monitoring' },
    destination: { url: oomnitzaUrl, apiToken },
    allowInsecureHttp: true,
    syncKeys: ['email'],
    customFields: { fullName: "$trim($trim(firstName) & ' ' & $trim(lastName))" },
    mapping: {
      email: { field: 'email', transform: ['trim', 'lower'] },
      username: { field: 'email', transform: ['trim', 'lower'] },
      first_name: { field: 'firstName', transform: ['trim'] },
      last_name: { field: 'lastName', transform: ['trim'] },
      full_name: 'fullName',
      phone_number: 'phone',
      external_id: 'uid',
    },
  });
}
