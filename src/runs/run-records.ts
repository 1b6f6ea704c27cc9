/**
 * Per-record outcomes of a run: written in large batched inserts, read back a page at a time,
 * filtered by outcome and kind and searched by label, source id, destination id or reason.
 *
 * @example
 * const { records, total } = await listRunRecords(db, runId, { outcome: 'failed', limit: 50, offset: 0 });
 */
import { sql } from 'kysely';

import type { Insertable, Selectable } from 'kysely';
import type { AppDb } from '../db/app-database.ts';
import type { RunRecordsTable } from '../db/types.ts';
import type { FieldChange, RecordOutcome, RecordOutcomeKind } from '../sync/ports.ts';

export interface RunRecord {
  readonly seq: number;
  readonly kind: 'user' | 'saas';
  readonly sourceId: string | null;
  readonly label: string;
  readonly outcome: RecordOutcomeKind;
  readonly reason: string | null;
  readonly destinationId: string | null;
  readonly changes: readonly FieldChange[];
}

/**
 * Bind parameters per statement. PostgreSQL allows 65,535 and the SQLite in better-sqlite3 32,766;
 * staying under both lets one constant serve both engines.
 */
export const maxBindParameters = 30_000;
const columnsPerRecord = 9;
/** Rows per INSERT: 3,333, so 10,000 outcomes take 4 statements. */
export const recordsPerInsert = Math.floor(maxBindParameters / columnsPerRecord);

/**
 * Inserts outcomes as `seq` firstSeq, firstSeq + 1, ... in as few statements as the parameter limit
 * allows. Run it inside a transaction when the records must land together.
 *
 * @example await insertRunRecords(trx, run.id, 1, outcomes);
 */
export async function insertRunRecords(db: AppDb, runId: string, firstSeq: number, outcomes: readonly RecordOutcome[]): Promise<void> {
  for (let start = 0; start < outcomes.length; start += recordsPerInsert) {
    const rows = outcomes.slice(start, start + recordsPerInsert).map((outcome, i) => outcomeToRow(runId, firstSeq + start + i, outcome));
    await db.insertInto('run_records').values(rows).execute();
  }
}

export interface ListRunRecordsOptions {
  readonly outcome?: RecordOutcomeKind;
  readonly kind?: 'user' | 'saas';
  /** Case-insensitive substring of label, source id, destination id or reason (ASCII case folding on SQLite). */
  readonly search?: string;
  /** Page size, 1 to 1,000. */
  readonly limit: number;
  readonly offset: number;
}

/**
 * A page of a run's records in reporting order, with the number matching the filters.
 *
 * @example const page = await listRunRecords(db, runId, { search: 'acme.example', limit: 50, offset: 100 });
 */
export async function listRunRecords(
  db: AppDb,
  runId: string,
  options: ListRunRecordsOptions,
): Promise<{ records: RunRecord[]; total: number }> {
  const limit = Math.min(Math.max(Math.trunc(options.limit), 1), 1000);
  const offset = Math.max(Math.trunc(options.offset), 0);
  let filtered = db.selectFrom('run_records').where('run_id', '=', runId);
  if (options.outcome !== undefined) filtered = filtered.where('outcome', '=', options.outcome);
  if (options.kind !== undefined) filtered = filtered.where('kind', '=', options.kind);
  const search = options.search?.trim() ?? '';
  if (search !== '') {
    const pattern = `%${escapeLike(search.toLowerCase())}%`;
    // lower() on both sides: LIKE is case-insensitive on SQLite but not on PostgreSQL.
    const like = (column: 'label' | 'source_id' | 'destination_id' | 'reason') =>
      sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
    filtered = filtered.where((eb) => eb.or([like('label'), like('source_id'), like('destination_id'), like('reason')]));
  }
  const [rows, count] = await Promise.all([
    filtered.selectAll().orderBy('seq').limit(limit).offset(offset).execute(),
    filtered.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  // PostgreSQL returns count(*) as a bigint string.
  return { records: rows.map(rowToRunRecord), total: Number(count.n) };
}

/** @example rowToRunRecord(row).changes[0]?.field */
export function rowToRunRecord(row: Selectable<RunRecordsTable>): RunRecord {
  return {
    seq: row.seq,
    kind: row.kind,
    sourceId: row.source_id,
    label: row.label,
    outcome: row.outcome,
    reason: row.reason,
    destinationId: row.destination_id,
    changes: parseChanges(row.changes),
  };
}

function outcomeToRow(runId: string, seq: number, outcome: RecordOutcome): Insertable<RunRecordsTable> {
  return {
    run_id: runId,
    seq,
    kind: outcome.kind === 'saas' ? 'saas' : 'user',
    source_id: outcome.sourceId === null || outcome.sourceId === undefined ? null : String(outcome.sourceId),
    label: typeof outcome.label === 'string' ? outcome.label : String(outcome.label ?? ''),
    outcome: outcome.outcome,
    reason: outcome.reason ?? null,
    destination_id: outcome.destinationId ?? null,
    changes: serializeChanges(outcome.changes ?? []),
  };
}

/**
 * JSON text of the changes. An absent old or new value is stored as null. Values JSON cannot hold
 * (a bigint, a cycle) are stored as their text, because a bad value must never lose the record.
 */
export function serializeChanges(changes: readonly FieldChange[]): string {
  const plain = changes.map((c) => ({ field: String(c.field), old: c.old ?? null, new: c.new ?? null }));
  try {
    return JSON.stringify(plain, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return JSON.stringify(plain.map((c) => ({ field: c.field, old: textOf(c.old), new: textOf(c.new) })));
  }
}

function parseChanges(text: string): FieldChange[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as FieldChange[]) : [];
  } catch {
    return [];
  }
}

function textOf(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  try {
    return JSON.stringify(value);
  } catch {
    return '[value that cannot be shown]';
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
