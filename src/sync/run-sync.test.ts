import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { integrationSchema } from '../integrations/schema.ts';
import { compileMapping } from '../mapping/compile.ts';
import { type SourceUser, sourceUser, type UserSource } from '../mapping/source-record.ts';
import { createMemoryDestination } from './memory-destination.test-support.ts';
import { emptyRunCounts } from './ports.ts';
import { runSync } from './run-sync.ts';

import type { IntegrationInput } from '../integrations/schema.ts';
import type { RecordOutcome, RunPhase, RunReporter, UserDestination } from './ports.ts';

/** Disabled users are filtered out; a phone that is not a number cannot be mapped. */
function integration(extra: Partial<IntegrationInput> = {}) {
  return integrationSchema.parse({
    name: 'NinjaOne users',
    source: { url: 'https://acme.rmmservice.com', clientId: 'id', clientSecret: 'secret' },
    destination: { url: 'https://acme.oomnitza.com', apiToken: 'token' },
    syncKeys: ['email'],
    filters: [{ field: 'enabled', op: 'eq', value: true }],
    mapping: {
      email: { field: 'email', transform: ['trim', 'lower'] },
      first_name: 'firstName',
      last_name: 'lastName',
      phone_number: { field: 'phone', transform: ['number'] },
    },
    ...extra,
  });
}
const mapper = compileMapping(integration());

/** Stands in for NinjaOne (a remote service). */
function ninjaone(users: SourceUser[], failure?: Error): UserSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async listUsers(options) {
      calls.push(`users:${options.userType ?? 'all'}`);
      if (failure !== undefined) throw failure;
      return users;
    },
    async listOrganizations() {
      calls.push('organizations');
      return [];
    },
    async listDevices() {
      calls.push('devices');
      return [];
    },
  };
}

function reporter(): RunReporter & { outcomes: RecordOutcome[]; phases: RunPhase[] } {
  const self = {
    outcomes: [] as RecordOutcome[],
    phases: [] as RunPhase[],
    phase(phase: RunPhase) {
      self.phases.push(phase);
    },
    async records(outcomes: readonly RecordOutcome[]) {
      self.outcomes.push(...outcomes);
    },
  };
  return self;
}

function people(n: number): SourceUser[] {
  return Array.from({ length: n }, (_, i) =>
    sourceUser({
      id: i + 1,
      email: `User${i + 1}@acme.com`,
      firstName: `First${i + 1}`,
      lastName: `Last${i + 1}`,
      phone: `555${i}`,
      enabled: true,
      roles: ['Technician'],
    }),
  );
}

const writes = (calls: readonly string[]) =>
  calls.filter((c) => c === 'create' || c.startsWith('update') || c.startsWith('assign') || c === 'ensureApplication');

describe('runSync', () => {
  test('dry run: the whole plan with old and new values is reported, and nothing is written', async () => {
    const oomnitza = createMemoryDestination({
      users: [{ id: 'd1', fields: { email: 'user1@acme.com', first_name: 'Old', last_name: 'Last1', phone_number: 5550 } }],
    });
    const users = [
      ...people(3),
      sourceUser({ id: 50, email: 'off@acme.com', enabled: false }),
      sourceUser({ id: 51, email: 'err@acme.com', enabled: true, phone: 'n/a' }),
    ];
    const r = reporter();
    const result = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone(users),
      destination: oomnitza,
      reporter: r,
      dryRun: true,
    });

    assert.equal(result.state, 'completed_with_errors');
    assert.deepEqual(result.counts, { ...emptyRunCounts(), created: 2, updated: 1, unchanged: 0, skipped: 0, filtered: 1, failed: 1 });
    assert.deepEqual(writes(oomnitza.calls), []);
    assert.equal(oomnitza.users.size, 1);
    const update = r.outcomes.find((o) => o.sourceId === '1');
    assert.deepEqual(update?.changes, [{ field: 'first_name', old: 'Old', new: 'First1' }]);
    assert.equal(r.outcomes.find((o) => o.sourceId === '2')?.outcome, 'created');
    assert.match(r.outcomes.find((o) => o.sourceId === '50')?.reason ?? '', /enabled/);
    assert.match(r.outcomes.find((o) => o.sourceId === '51')?.reason ?? '', /number: .*n\/a.* is not a number/);
    assert.equal(r.outcomes.length, 5, 'one outcome per NinjaOne user');
    assert.deepEqual(r.phases, ['fetching', 'mapping', 'matching', 'done']);
    assert.equal(typeof result.durations.fetching, 'number');
  });

  test('a real run writes the plan; the resync writes nothing', async () => {
    const oomnitza = createMemoryDestination();
    const first = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone(people(25)),
      destination: oomnitza,
      reporter: reporter(),
    });
    assert.equal(first.state, 'succeeded');
    assert.equal(first.counts.created, 25);
    assert.equal(oomnitza.users.size, 25);

    oomnitza.calls.length = 0;
    const r = reporter();
    const again = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone(people(25)),
      destination: oomnitza,
      reporter: r,
    });
    assert.equal(again.state, 'succeeded');
    assert.deepEqual(again.counts, { ...emptyRunCounts(), created: 0, updated: 0, unchanged: 25, skipped: 0, filtered: 0, failed: 0 });
    assert.deepEqual(writes(oomnitza.calls), []);
    assert.deepEqual(r.phases, ['fetching', 'mapping', 'matching', 'writing', 'done']);
  });

  test('passes the userType to NinjaOne', async () => {
    const source = ninjaone(people(1));
    await runSync({
      integration: integration({ source: { url: 'https://acme.rmmservice.com', userType: 'END_USER' } }),
      compiled: mapper,
      source,
      destination: createMemoryDestination(),
      reporter: reporter(),
      dryRun: true,
    });
    assert.deepEqual(source.calls, ['users:END_USER']);
  });

  test('NinjaOne unreachable: the run fails with a message saying what to check, and touches nothing', async () => {
    const oomnitza = createMemoryDestination();
    const result = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone([], new Error('HTTP 401 from acme.rmmservice.com')),
      destination: oomnitza,
      reporter: reporter(),
    });
    assert.equal(result.state, 'failed');
    assert.match(
      result.error ?? '',
      /^Could not read from NinjaOne: HTTP 401 from acme.rmmservice.com\. Check the NinjaOne URL and credential/,
    );
    assert.deepEqual(oomnitza.calls, []);
  });

  test('a cause that ends its own sentence gets no second full stop', async () => {
    const result = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone([], new Error("NinjaOne's token endpoint could not be reached. Try again later.")),
      destination: createMemoryDestination(),
      reporter: reporter(),
    });
    assert.equal(result.state, 'failed');
    assert.match(result.error ?? '', /Try again later\. Check the NinjaOne URL/);
  });

  test('Oomnitza unreadable: failed, naming Oomnitza', async () => {
    const oomnitza = { ...createMemoryDestination(), countUsers: () => Promise.reject(new Error('HTTP 403')) };
    const result = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone(people(2)),
      destination: oomnitza,
      reporter: reporter(),
    });
    assert.equal(result.state, 'failed');
    assert.match(result.error ?? '', /Could not read users from Oomnitza: HTTP 403\. Check the Oomnitza URL and API token/);
  });

  test('the fuse stops the run before its first write', async () => {
    const oomnitza = createMemoryDestination();
    const r = reporter();
    const result = await runSync({
      integration: integration({ fuse: { maxChanges: 10 } }),
      compiled: mapper,
      source: ninjaone(people(11)),
      destination: oomnitza,
      reporter: r,
    });
    assert.equal(result.state, 'failed');
    assert.match(result.fuseTripped ?? '', /create 11 and update 0 .* more than fuse.maxChanges 10/);
    assert.equal(result.error, result.fuseTripped);
    assert.deepEqual(writes(oomnitza.calls), []);
    assert.ok(!r.phases.includes('writing'));
  });

  test('a dry run shows the plan the fuse would stop, and says the fuse would trip', async () => {
    const oomnitza = createMemoryDestination();
    const r = reporter();
    const result = await runSync({
      integration: integration({ fuse: { maxChanges: 10 } }),
      compiled: mapper,
      source: ninjaone(people(11)),
      destination: oomnitza,
      reporter: r,
      dryRun: true,
    });
    assert.equal(result.state, 'succeeded');
    assert.match(result.fuseTripped ?? '', /more than fuse.maxChanges 10/);
    assert.equal(r.outcomes.length, 11);
    assert.deepEqual(writes(oomnitza.calls), []);
  });

  test('SaaS phase that cannot reach Oomnitza: the users stand, the run completes with errors', async () => {
    const memory = createMemoryDestination();
    const oomnitza = { ...memory, listAssignments: () => Promise.reject(new Error('HTTP 503 from acme.oomnitza.com')) };
    const result = await runSync({
      integration: integration({ recordType: 'user_and_saas_user' }),
      compiled: mapper,
      source: ninjaone(people(2)),
      destination: oomnitza,
      reporter: reporter(),
    });
    assert.equal(result.state, 'completed_with_errors');
    assert.equal(result.counts.created, 2);
    assert.equal(
      result.error,
      'Users were synced, but SaaS users were not. The SaaS phase stopped: HTTP 503 from acme.oomnitza.com. Run again once the cause is fixed.',
    );
  });

  test('some refused writes: completed with errors, the rest written', async () => {
    const oomnitza = createMemoryDestination({ failWrite: (_kind, fields) => (fields['email'] === 'user3@acme.com' ? 'HTTP 400' : null) });
    const result = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone(people(5)),
      destination: oomnitza,
      reporter: reporter(),
    });
    assert.equal(result.state, 'completed_with_errors');
    assert.deepEqual(result.counts, { ...emptyRunCounts(), created: 4, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 1 });
  });

  test('canceled before it starts: nothing is read or written', async () => {
    const controller = new AbortController();
    controller.abort();
    const oomnitza = createMemoryDestination();
    const source = ninjaone(people(3));
    const result = await runSync({
      integration: integration(),
      compiled: mapper,
      source,
      destination: oomnitza,
      reporter: reporter(),
      signal: controller.signal,
    });
    assert.equal(result.state, 'canceled');
    assert.deepEqual(source.calls, []);
    assert.deepEqual(oomnitza.calls, []);
  });

  test('a rerun after an interrupted run creates no duplicates, even for a write whose answer was lost', async () => {
    const controller = new AbortController();
    let creates = 0;
    const oomnitza = createMemoryDestination({ unique: ['email'] });
    // The 3rd create lands in Oomnitza but its answer is lost; after the 6th the run is killed.
    const flaky = {
      ...oomnitza,
      async createUser(fields: Readonly<Record<string, unknown>>) {
        creates += 1;
        const created = await oomnitza.createUser(fields);
        if (creates === 6) controller.abort();
        if (creates === 3) throw new Error('socket hang up');
        return created;
      },
    };
    const interrupted = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone(people(20)),
      destination: flaky,
      reporter: reporter(),
      signal: controller.signal,
      concurrency: 1,
    });
    assert.equal(interrupted.state, 'canceled');
    assert.equal(oomnitza.users.size, 6);

    const rerun = await runSync({
      integration: integration(),
      compiled: mapper,
      source: ninjaone(people(20)),
      destination: oomnitza,
      reporter: reporter(),
    });
    assert.equal(rerun.state, 'succeeded');
    assert.deepEqual(rerun.counts, { ...emptyRunCounts(), created: 14, updated: 0, unchanged: 6, skipped: 0, filtered: 0, failed: 0 });
    const emails = [...oomnitza.users.values()].map((u) => u['email']);
    assert.equal(new Set(emails).size, 20);
  });

  test('User plus SaaS user: assigns the users in Oomnitza and reports those that are not', async () => {
    const oomnitza = createMemoryDestination({
      users: [{ id: 'd1', fields: { email: 'user1@acme.com', first_name: 'First1', last_name: 'Last1', phone_number: '5550' } }],
    });
    const r = reporter();
    const result = await runSync({
      integration: integration({ recordType: 'user_and_saas_user', preference: 'update_only' }),
      compiled: mapper,
      source: ninjaone(people(2)),
      destination: oomnitza,
      reporter: r,
    });
    assert.equal(result.state, 'succeeded');
    assert.deepEqual(result.counts, { ...emptyRunCounts(), created: 0, updated: 0, unchanged: 1, skipped: 1, filtered: 0, failed: 0 });
    assert.deepEqual(result.saasCounts, { ...emptyRunCounts(), created: 2, updated: 0, unchanged: 0, skipped: 1, filtered: 0, failed: 0 });
    assert.deepEqual(
      [...(oomnitza.assignments.get(oomnitza.applications.get('NinjaOne') ?? '') ?? new Map())],
      [['d1', { roles: ['Technician'], active: true }]],
    );
    const skipped = r.outcomes.find((o) => o.kind === 'saas' && o.sourceId === '2');
    assert.match(skipped?.reason ?? '', /not in Oomnitza and preference is Update only/);
    assert.deepEqual(r.phases, ['fetching', 'mapping', 'matching', 'writing', 'saas', 'done']);
  });

  test('User plus SaaS user, dry run: nothing written, not even the application', async () => {
    const oomnitza = createMemoryDestination();
    const result = await runSync({
      integration: integration({ recordType: 'user_and_saas_user' }),
      compiled: mapper,
      source: ninjaone(people(3)),
      destination: oomnitza,
      reporter: reporter(),
      dryRun: true,
    });
    assert.equal(result.state, 'succeeded');
    assert.deepEqual(result.saasCounts, { ...emptyRunCounts(), created: 4, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 0 });
    assert.deepEqual(writes(oomnitza.calls), []);
    assert.equal(oomnitza.applications.size, 0);
  });

  test('User plus SaaS user against a destination without SaaS operations fails before anything happens', async () => {
    const full = createMemoryDestination();
    const usersOnly: UserDestination = {
      countUsers: (o) => full.countUsers(o),
      listUsers: (f, o) => full.listUsers(f, o),
      findUsers: (k, v, f, o) => full.findUsers(k, v, f, o),
      createUser: (f, o) => full.createUser(f, o),
      updateUser: (id, p, o) => full.updateUser(id, p, o),
    };
    const result = await runSync({
      integration: integration({ recordType: 'user_and_saas_user' }),
      compiled: mapper,
      source: ninjaone(people(1)),
      destination: usersOnly,
      reporter: reporter(),
    });
    assert.equal(result.state, 'failed');
    assert.match(result.error ?? '', /offers no SaaS operations/);
  });

  test("a mapping that cannot fit the data model fails before anything is read, whoever runs it (the worker's runs too)", async () => {
    const model = [
      { name: 'email', dataType: 'email', required: false, editable: true, unique: true },
      { name: 'first_name', dataType: 'string', required: false, editable: true, unique: false },
      { name: 'last_name', dataType: 'string', required: false, editable: true, unique: false },
    ];
    const memory = createMemoryDestination();
    const destination: UserDestination = { ...memory, listUserFields: async () => model };
    const source = ninjaone(people(3));
    const result = await runSync({ integration: integration(), compiled: mapper, source, destination, reporter: reporter(), dryRun: true });
    assert.equal(result.state, 'failed');
    assert.match(
      result.error ?? '',
      /does not fit Oomnitza's users data model, so nothing was read or written: mapping\.phone_number: Oomnitza has no user field 'phone_number'/,
    );
    assert.deepEqual(source.calls, [], 'NinjaOne was not read');
    assert.deepEqual(writes(memory.calls), []);

    // A key the model does not mark unique is the same kind of problem.
    const byName = integration({ syncKeys: ['first_name'], mapping: { first_name: 'firstName', last_name: 'lastName' } });
    const keyed = await runSync({ integration: byName, compiled: compileMapping(byName), source, destination, reporter: reporter() });
    assert.match(keyed.error ?? '', /syncKeys\[0\]: Oomnitza field first_name is not marked Unique/);
  });
});
