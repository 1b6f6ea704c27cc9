import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { emptyRunCounts } from '../sync/ports.ts';
import { withProgress } from './progress.ts';
import { formatSummary, table } from './summary.ts';
import { captureIo } from './test-io.test-support.ts';

import type { RecordOutcome, RunPhase, RunReporter } from '../sync/ports.ts';

const outcome = (kind: RecordOutcome['outcome'], label: string, reason: string | null = null): RecordOutcome => ({
  sourceId: label,
  label,
  kind: 'user',
  outcome: kind,
  reason,
  destinationId: null,
  changes: [],
});

describe('withProgress', () => {
  test('passes every phase and record to the store reporter and counts by outcome', async () => {
    const seen: { phases: RunPhase[]; records: number } = { phases: [], records: 0 };
    const inner: RunReporter = {
      phase: (phase) => void seen.phases.push(phase),
      records: async (outcomes) => void (seen.records += outcomes.length),
    };
    const io = captureIo();
    const reporter = withProgress(inner, io);
    reporter.phase('fetching');
    reporter.phase('writing', 3);
    await reporter.records([outcome('created', 'a'), outcome('updated', 'b'), outcome('failed', 'c', 'no')]);
    reporter.phase('done');
    reporter.finish();
    assert.deepEqual(seen.phases, ['fetching', 'writing', 'done']);
    assert.equal(seen.records, 3);
    assert.deepEqual(reporter.counts, { ...emptyRunCounts(), created: 1, updated: 1, unchanged: 0, skipped: 0, filtered: 0, failed: 1 });
  });

  test('off a terminal it writes whole log lines, one per phase', async () => {
    let clock = 0;
    const io = captureIo({ interactive: false });
    const reporter = withProgress(null, io, { now: () => clock });
    reporter.phase('fetching');
    clock = 1500;
    reporter.phase('writing', 2);
    await reporter.records([outcome('created', 'a'), outcome('created', 'b')]);
    reporter.phase('done');
    const lines = io.stderr().split('\n').filter(Boolean);
    assert.ok(lines.every((line) => !line.includes('\r')));
    assert.ok(lines.some((line) => line.includes('Fetching NinjaOne users')));
    assert.ok(
      lines.some((line) => /Writing to Oomnitza 2\/2 — created 2/.test(line)),
      lines.join('\n'),
    );
  });

  test('on a terminal it redraws one line with \\r and a bar, and clears it at the end', async () => {
    let clock = 0;
    const io = captureIo({ interactive: true });
    const reporter = withProgress(null, io, { now: () => clock });
    reporter.phase('writing', 4);
    clock = 200;
    await reporter.records([outcome('created', 'a'), outcome('created', 'b')]);
    reporter.finish();
    assert.match(io.stderr(), /^\rWriting to Oomnitza/);
    assert.match(io.stderr(), /\[░+\] 0\/4/);
    assert.match(io.stderr(), /\[█{12}░{12}\] 2\/4 created 2/);
    assert.ok(!io.stderr().includes('\n'));
  });

  test('--json keeps stderr quiet', async () => {
    const io = captureIo();
    const reporter = withProgress(null, io, { enabled: false });
    reporter.phase('fetching');
    await reporter.records([outcome('created', 'a')]);
    reporter.finish();
    assert.equal(io.stderr(), '');
  });
});

describe('formatSummary', () => {
  test('shows counts, the run id and the records that were not synced, with reasons', () => {
    const text = formatSummary({
      runId: 'run-1',
      integration: 'Users',
      state: 'completed_with_errors',
      dryRun: false,
      counts: { ...emptyRunCounts(), created: 12, updated: 3, unchanged: 100, skipped: 1, filtered: 0, failed: 2 },
      durationMs: 2345,
      problems: [outcome('failed', 'a@x.example', 'two NinjaOne users have this email'), outcome('skipped', 'user #7', 'no email')],
      problemTotal: 3,
      retries: { 'Oomnitza 429': 12, 'NinjaOne html': 1 },
    });
    assert.match(text, /^Run run-1 of "Users" completed with errors in 2\.3 s/);
    assert.match(text, /created +12/);
    assert.match(text, /unchanged +100/);
    assert.match(text, /first 2 of 3; ninja-sync runs show run-1/);
    assert.match(text, /failed +a@x\.example +two NinjaOne users have this email/);
    assert.match(text, /skipped +user #7 +no email/);
    assert.match(text, /Retried requests \(the run may have given up on some\): Oomnitza 429 ×12, NinjaOne html ×1/);
    assert.doesNotMatch(text, /nothing lost/, 'a run with failures does not claim every retried request was answered');
  });

  test('a dry run says nothing was written and words the counts as plans', () => {
    const text = formatSummary({
      runId: 'r',
      integration: 'U',
      state: 'succeeded',
      dryRun: true,
      counts: { ...emptyRunCounts(), created: 1, updated: 0, unchanged: 0, skipped: 0, filtered: 0, failed: 0 },
      durationMs: 10,
      problems: [],
      problemTotal: 0,
      retries: { 'Oomnitza 429': 3 },
    });
    assert.match(text, /Nothing was written to Oomnitza/);
    assert.match(text, /would create +1/);
    assert.match(text, /Retried requests \(answered in the end, nothing lost\): Oomnitza 429 ×3/);
  });
});

describe('table', () => {
  test('pads columns to their widest cell', () => {
    assert.deepEqual(
      table(
        [
          ['a', '1'],
          ['bbb', '22'],
        ],
        ['left', 'right'],
      ),
      ['a     1', 'bbb  22'],
    );
  });
});
