/**
 * The end-of-run summary: a table of counts, the duration and the run id, then the records that
 * failed or were skipped (first N, with reasons), and for `--json` one object with the same facts.
 * Records a filter rule dropped are counted on their own row, not listed: they were dropped on purpose.
 *
 * @example
 * io.out(formatSummary(summary, { show: 20 }));
 */
import { formatOffboarded } from './summary-offboarding.ts';

import type { FieldChange, RecordOutcome, RecordOutcomeKind, RunCounts, RunState } from '../sync/ports.ts';

export interface RunSummary {
  readonly runId: string;
  readonly integration: string;
  readonly state: RunState;
  readonly dryRun: boolean;
  readonly counts: RunCounts;
  readonly saasCounts?: RunCounts | undefined;
  readonly error?: string | undefined;
  readonly fuseReason?: string | undefined;
  readonly durationMs: number;
  /** Failed and skipped records (already limited), in report order. */
  readonly problems: readonly RecordOutcome[];
  /** How many failed and skipped records there were in all. */
  readonly problemTotal: number;
  /** Users offboarding suspended or unsuspended (or would, in a dry run), already limited. */
  readonly offboarded?: readonly RecordOutcome[];
  /** Requests that were retried, by vendor and cause (e.g. "Oomnitza 429"). */
  readonly retries?: Readonly<Record<string, number>>;
}

const stateWords: Record<RunState, string> = {
  queued: 'queued',
  running: 'still running',
  succeeded: 'succeeded',
  completed_with_errors: 'completed with errors',
  failed: 'FAILED',
  canceled: 'canceled',
};

const order: readonly RecordOutcomeKind[] = [
  'created',
  'updated',
  'unchanged',
  'suspended',
  'unsuspended',
  'skipped',
  'filtered',
  'failed',
];
/** Rows shown only when a run has any: most integrations never offboard. */
const whenAny: ReadonlySet<RecordOutcomeKind> = new Set(['suspended', 'unsuspended']);

export function formatSummary(summary: RunSummary): string {
  const lines: string[] = [];
  const what = summary.dryRun ? 'Dry run' : 'Run';
  lines.push(`${what} ${summary.runId} of "${summary.integration}" ${stateWords[summary.state]} in ${formatDuration(summary.durationMs)}`);
  if (summary.dryRun) lines.push('Nothing was written to Oomnitza: the counts below are what a real run would do.');
  // The fuse's reason is also the run's error: say it once.
  if (summary.fuseReason)
    lines.push(summary.fuseReason.startsWith('Safety fuse') ? summary.fuseReason : `Safety fuse: ${summary.fuseReason}`);
  if (summary.error && summary.error !== summary.fuseReason) lines.push(`Error: ${summary.error}`);
  lines.push('');
  const header = summary.saasCounts ? ['', 'users', 'SaaS users'] : ['', 'users'];
  const shown = order.filter((kind) => !whenAny.has(kind) || summary.counts[kind] + (summary.saasCounts?.[kind] ?? 0) > 0);
  const rows = shown.map((kind) => {
    const label = summary.dryRun ? plannedWord(kind) : kind;
    return summary.saasCounts
      ? [label, String(summary.counts[kind]), String(summary.saasCounts[kind])]
      : [label, String(summary.counts[kind])];
  });
  lines.push(...table([header, ...rows], ['left', 'right', 'right']).map((l) => `  ${l}`));
  const retried = Object.entries(summary.retries ?? {});
  if (retried.length > 0) {
    lines.push('');
    // "Answered in the end" holds only for a run that got through; a failed or canceled one may have given up on them.
    const note = summary.state === 'succeeded' ? 'answered in the end, nothing lost' : 'the run may have given up on some';
    lines.push(`Retried requests (${note}): ${retried.map(([cause, n]) => `${cause} ×${n}`).join(', ')}`);
  }
  lines.push(...formatOffboarded(summary.offboarded ?? [], summary.dryRun, summary.counts));
  if (summary.problemTotal > 0) {
    lines.push('');
    const more =
      summary.problemTotal > summary.problems.length
        ? ` (first ${summary.problems.length} of ${summary.problemTotal}; ninja-sync runs show ${summary.runId} for all)`
        : '';
    lines.push(`Records that were not synced${more}:`);
    lines.push(
      ...table(
        summary.problems.map((r) => [r.outcome, r.label, r.reason ?? '']),
        ['left', 'left', 'left'],
      ).map((l) => `  ${l}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

function plannedWord(kind: RecordOutcomeKind): string {
  const words: Record<RecordOutcomeKind, string> = {
    created: 'would create',
    updated: 'would update',
    unchanged: 'unchanged',
    skipped: 'skipped',
    filtered: 'filtered',
    failed: 'would fail',
    suspended: 'would suspend',
    unsuspended: 'would unsuspend',
  };
  return words[kind];
}

/** Lines of a plain-text table: columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i] ?? 0) : i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** `first_name: "Ann" → "Anne"`, for showing what a record's write changed. */
export function formatChanges(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${c.field}: ${formatValue(c.old)} → ${formatValue(c.new)}`).join(', ');
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
