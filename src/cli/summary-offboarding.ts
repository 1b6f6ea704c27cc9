/**
 * The summary's list of the users offboarding suspended or unsuspended (or would, in a dry run),
 * with the reason for each: a suspension is a change a person wants to see by name, not only as a count.
 *
 * @example
 * lines.push(...formatOffboarded(samples, true, counts));
 * // Users offboarding would suspend or unsuspend:
 * //   would suspend  bob@acme.example  NinjaOne user uid 3f… is no longer in NinjaOne; suspended in Oomnitza (uid 1042) …
 */
import type { RecordOutcome, RunCounts } from '../sync/ports.ts';

export function formatOffboarded(records: readonly RecordOutcome[], dryRun: boolean, counts: RunCounts): string[] {
  if (records.length === 0) return [];
  const total = counts.suspended + counts.unsuspended;
  const more = total > records.length ? ` (first ${String(records.length)} of ${String(total)})` : '';
  const lines = ['', `Users offboarding ${dryRun ? 'would suspend or unsuspend' : 'suspended or unsuspended'}${more}:`];
  const word = (r: RecordOutcome): string => (dryRun ? `would ${r.outcome === 'suspended' ? 'suspend' : 'unsuspend'}` : r.outcome);
  const rows = records.map((r) => [word(r), r.label, r.reason ?? '']);
  const width = rows.reduce((w, row) => Math.max(w, row[0]?.length ?? 0), 0);
  const labelWidth = rows.reduce((w, row) => Math.max(w, row[1]?.length ?? 0), 0);
  for (const [what = '', label = '', reason = ''] of rows)
    lines.push(`  ${what.padEnd(width)}  ${label.padEnd(labelWidth)}  ${reason}`.trimEnd());
  return lines;
}
