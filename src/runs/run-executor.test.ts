import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { integrationSchema } from '../integrations/schema.ts';
import { sourceUser, type UserSource } from '../mapping/source-record.ts';
import { createMemoryDestination } from '../sync/memory-destination.test-support.ts';
import { emptyRunCounts } from '../sync/ports.ts';
import { executeRun, type RunEnd, type RunExecutionReporter, RunSetupError } from './run-executor.ts';

import type { RecordOutcome, RunPhase } from '../sync/ports.ts';

const integration = integrationSchema.parse({
  name: 'executor',
  source: { url: 'https://acme.rmmservice.com', clientId: 'id', clientSecret: 'secret' },
  destination: { url: 'https://acme.oomnitza.com', apiToken: 'token' },
  syncKeys: ['email'],
  mapping: { email: 'email', first_name: 'firstName' },
});

function source(count: number, hold?: Promise<void>): UserSource {
  return {
    async listUsers() {
      await hold;
      return Array.from({ length: count }, (_, i) => sourceUser({ id: i + 1, email: `u${i + 1}@acme.com`, firstName: `U${i + 1}` }));
    },
    listOrganizations: async () => [],
    listDevices: async () => [],
  };
}

/** Records every call, in order; `stopAt` makes the n-th heartbeat answer stop. */
function recordingReporter(options: { stopAt?: number } = {}): RunExecutionReporter & {
  readonly calls: string[];
  readonly outcomes: RecordOutcome[];
  readonly ends: RunEnd[];
} {
  const calls: string[] = [];
  const outcomes: RecordOutcome[] = [];
  const ends: RunEnd[] = [];
  let beats = 0;
  return {
    calls,
    outcomes,
    ends,
    phase(phase: RunPhase) {
      calls.push(`phase:${phase}`);
    },
    async records(batch) {
      calls.push('records');
      outcomes.push(...batch);
    },
    async heartbeat() {
      beats++;
      calls.push('heartbeat');
      return { stop: options.stopAt !== undefined && beats >= options.stopAt };
    },
    async flush() {
      calls.push('flush');
    },
    async finish(end) {
      calls.push('finish');
      ends.push(end);
    },
  };
}

describe('executeRun', () => {
  test('runs the sync, flushes, then finishes once with the counts', async () => {
    const reporter = recordingReporter();
    const destination = createMemoryDestination();
    const done = await executeRun({
      integration,
      endpoints: { source: source(3), destination },
      reporter,
      dryRun: false,
      heartbeatMs: 60_000,
    });
    assert.equal(done.state, 'succeeded');
    assert.equal(destination.users.size, 3);
    assert.deepEqual(reporter.calls.slice(-2), ['flush', 'finish']);
    assert.deepEqual(reporter.ends, [
      {
        state: 'succeeded',
        counts: { ...emptyRunCounts(), created: 3, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 0 },
        error: null,
        fuseReason: null,
      },
    ]);
    assert.equal(reporter.outcomes.length, 3);
  });

  test('a heartbeat that says stop cancels the run', async () => {
    const reporter = recordingReporter({ stopAt: 1 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const destination = createMemoryDestination();
    const running = executeRun({
      integration,
      endpoints: { source: source(3, held), destination },
      reporter,
      dryRun: false,
      heartbeatMs: 5,
    });
    while (!reporter.calls.includes('heartbeat')) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const done = await running;
    assert.equal(done.state, 'canceled');
    assert.equal(destination.users.size, 0, 'nothing written after the stop');
    assert.equal(reporter.ends[0]?.state, 'canceled');
  });

  test("the caller's signal cancels too", async () => {
    const controller = new AbortController();
    controller.abort();
    const reporter = recordingReporter();
    const done = await executeRun({
      integration,
      endpoints: { source: source(2), destination: createMemoryDestination() },
      reporter,
      dryRun: false,
      heartbeatMs: 60_000,
      signal: controller.signal,
    });
    assert.equal(done.state, 'canceled');
  });

  test('a setup problem fails the run with its message and is not thrown', async () => {
    const reporter = recordingReporter();
    const done = await executeRun({
      integration,
      endpoints: async () => {
        throw new RunSetupError('the NinjaOne credential "x" does not exist any more; edit the integration and pick another');
      },
      reporter,
      dryRun: false,
      heartbeatMs: 60_000,
    });
    assert.deepEqual(done, { state: 'failed', result: null, error: reporter.ends[0]?.error });
    assert.match(reporter.ends[0]?.error ?? '', /does not exist any more/);
    assert.deepEqual(reporter.calls, ['finish']);
  });

  test('a bug is recorded as a failed run, then thrown', async () => {
    const reporter = recordingReporter();
    await assert.rejects(
      executeRun({
        integration: async () => {
          throw new TypeError('boom');
        },
        endpoints: { source: source(1), destination: createMemoryDestination() },
        reporter,
        dryRun: false,
        heartbeatMs: 60_000,
      }),
      /boom/,
    );
    assert.deepEqual(reporter.ends, [{ state: 'failed', error: 'The run stopped unexpectedly: boom', fuseReason: null }]);
  });
});
