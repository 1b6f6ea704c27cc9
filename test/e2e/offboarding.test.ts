/**
 * Offboarding end to end, over HTTP against both emulators and on a real store (SQLite and
 * PostgreSQL), through the run engine the CLI uses: users created by a run are linked; a user removed
 * from NinjaOne and one disabled there are suspended in Oomnitza on the next run (a dry run shows it
 * first and writes nothing) and unsuspended when back; an Oomnitza user no run ever linked is never
 * touched; and an empty NinjaOne answer trips the fuse before any write.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';
import { buildClients } from '../../src/cli/build-clients.ts';
import { runOnce } from '../../src/cli/run-once.ts';
import { formatSummary } from '../../src/cli/summary.ts';
import { captureIo } from '../../src/cli/test-io.test-support.ts';
import { integrationSchema } from '../../src/integrations/schema.ts';
import { listUserLinks } from '../../src/runs/user-links.ts';
import { forEachDialect } from '../support/databases.ts';

import type { OomnitzaEmulator } from '../../emulators/oomnitza/index.ts';

const writeMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
const writes = (oomnitza: OomnitzaEmulator) => oomnitza.knobs.log.filter((e) => writeMethods.has(e.method) && e.path.startsWith('/api/'));

async function admin(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}/__admin${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  assert.ok(response.ok, `${method} ${path}: ${String(response.status)} ${await response.clone().text()}`);
  return response.status === 204 ? null : response.json();
}

/** The seeded NinjaOne world has users that cannot sync (duplicate or missing e-mails): they fail, the rest sync. */
function synced(done: { result: { state: string; error?: string | undefined } }): void {
  assert.ok(done.result.state === 'succeeded' || done.result.state === 'completed_with_errors', done.result.error);
}

forEachDialect('offboarding over HTTP', (target) => {
  test('suspend on leave and disable, unsuspend on return, never an unlinked user, a fuse for an empty NinjaOne', async (t) => {
    const ninja = await startNinjaOneEmulator({ seed: 21, users: 14 });
    const oomnitza = await startOomnitzaEmulator({
      seed: 21,
      users: 4,
      seedUsers: [{ username: 'stranger', email: 'stranger@acme.example', first_name: 'Not', last_name: 'Linked' }],
    });
    const dir = await mkdtemp(join(tmpdir(), 'ninja-sync-offboarding-'));
    const { db } = await target.open();
    t.after(async () => {
      await Promise.allSettled([ninja.close(), oomnitza.close()]);
      await rm(dir, { recursive: true, force: true });
    });
    // The stranger has no NinjaOne user at all: exactly what offboarding must not take for a leaver.
    const stranger = [...oomnitza.store.users.values()].find((u) => u['email'] === 'stranger@acme.example');
    assert.ok(stranger);
    const before = new Map([...oomnitza.store.users.values()].map((u) => [String(u['uid']), u['suspended']]));

    const integration = integrationSchema.parse({
      name: 'offboarding e2e',
      source: { url: ninja.url, clientId: 'demo-m2m', clientSecret: 'demo-m2m-secret' },
      destination: { url: oomnitza.url, apiToken: oomnitza.apiToken },
      allowInsecureHttp: true,
      syncKeys: ['email'],
      filters: [{ field: 'enabled', op: 'eq', value: true }],
      mapping: {
        email: { field: 'email', transform: ['trim', 'lower'] },
        username: { field: 'email', transform: ['trim', 'lower'] },
        first_name: 'firstName',
      },
      offboarding: { policy: 'suspend' },
    });
    const clients = await buildClients(integration, { dataDir: dir, env: {}, concurrency: 4 });
    assert.ok(clients.ok);
    const run = (dryRun = false) =>
      runOnce({
        db,
        integration,
        source: clients.source,
        destination: clients.destination,
        io: captureIo(),
        dryRun,
        concurrency: 4,
        progress: false,
        sampleLimit: 100,
      });

    // 1. The first run creates (and so links) the users; nothing is suspended.
    const first = await run();
    synced(first);
    const created = first.samples.created;
    assert.ok(created.length >= 6, `created ${String(created.length)}`);
    assert.equal(first.result.counts.suspended, 0);
    const links = await listUserLinks(db, 'file:offboarding e2e');
    assert.equal(links.length, created.length, 'one link per created user, none for the strangers');
    assert.ok(!links.some((l) => l.oomnitzaUid === String(stranger['uid'])));

    // 2. One user leaves NinjaOne, another is disabled there.
    const [gone, disabled] = created;
    assert.ok(gone?.sourceId && gone.destinationId && disabled?.sourceId && disabled.destinationId);
    const goneUser = ninja.world.users.find((u) => String(u.id) === gone.sourceId);
    assert.ok(goneUser);
    const saved = structuredClone(goneUser);
    await admin(ninja.url, 'DELETE', `/users/${gone.sourceId}`);
    await admin(ninja.url, 'PATCH', `/users/${disabled.sourceId}`, { enabled: false });

    // 3. The dry run shows both suspensions and writes nothing.
    oomnitza.knobs.clearLog();
    const dry = await run(true);
    assert.equal(dry.result.counts.suspended, 2);
    assert.deepEqual(writes(oomnitza), []);
    assert.deepEqual(dry.samples.suspended.map((r) => r.destinationId).sort(), [gone.destinationId, disabled.destinationId].sort());
    const dryText = formatSummary(dry.summary);
    assert.match(dryText, /would suspend\s+2/);
    assert.match(
      dryText,
      new RegExp(`would suspend\\s+${gone.label.replace(/[.+]/g, '\\$&')}\\s+NinjaOne user uid ${saved.uid} is no longer in NinjaOne`),
    );
    assert.equal(oomnitza.store.users.get(Number(gone.destinationId))?.['suspended'], false);

    // 4. The run suspends exactly those two, each with one PATCH of `suspended`.
    oomnitza.knobs.clearLog();
    const second = await run();
    synced(second);
    assert.equal(second.result.counts.suspended, 2);
    assert.equal(second.run.counts.suspended, 2, 'stored with the run');
    assert.equal(oomnitza.store.users.get(Number(gone.destinationId))?.['suspended'], true);
    assert.equal(oomnitza.store.users.get(Number(disabled.destinationId))?.['suspended'], true);
    assert.deepEqual(
      writes(oomnitza)
        .map((e) => `${e.method} ${e.path}`)
        .sort(),
      [`PATCH /api/v3/users/${gone.destinationId}`, `PATCH /api/v3/users/${disabled.destinationId}`].sort(),
    );
    const marked = (await listUserLinks(db, 'file:offboarding e2e')).filter((l) => l.suspended).map((l) => l.oomnitzaUid);
    assert.deepEqual(marked.sort(), [gone.destinationId, disabled.destinationId].sort());

    // 5. The next run writes nothing: both stay suspended, nobody else is touched.
    oomnitza.knobs.clearLog();
    const third = await run();
    assert.equal(third.result.counts.suspended, 0);
    assert.deepEqual(writes(oomnitza), []);

    // 6. Back in NinjaOne (the same user again) and enabled again: both are unsuspended.
    await admin(ninja.url, 'POST', '/users', saved);
    await admin(ninja.url, 'PATCH', `/users/${disabled.sourceId}`, { enabled: true });
    const fourth = await run();
    synced(fourth);
    assert.equal(fourth.result.counts.unsuspended, 2);
    assert.equal(oomnitza.store.users.get(Number(gone.destinationId))?.['suspended'], false);
    assert.equal(oomnitza.store.users.get(Number(disabled.destinationId))?.['suspended'], false);
    assert.ok((await listUserLinks(db, 'file:offboarding e2e')).every((l) => !l.suspended));

    // 7. NinjaOne answers no users at all: the fuse stops the run before its first write.
    for (const user of [...ninja.world.users]) await admin(ninja.url, 'DELETE', `/users/${String(user.id)}`);
    oomnitza.knobs.clearLog();
    const empty = await run();
    assert.equal(empty.result.state, 'failed');
    assert.match(empty.result.fuseTripped ?? '', /^Offboarding fuse: NinjaOne answered no users at all/);
    assert.match(empty.run.fuseReason ?? '', /offboarding\.maxShare/);
    assert.deepEqual(writes(oomnitza), []);
    assert.ok([...oomnitza.store.users.values()].every((u) => u['suspended'] !== true || before.get(String(u['uid'])) === true));

    // Never linked, never touched: the stranger and the seeded users keep what they had.
    for (const user of oomnitza.store.users.values())
      if (!links.some((l) => l.oomnitzaUid === String(user['uid']))) assert.equal(user['suspended'], before.get(String(user['uid'])));
  });
});
