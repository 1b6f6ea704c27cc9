/**
 * The tables as Kysely sees them. One interface per table, column names as in SQL.
 *
 * Portable types, so the same queries serve SQLite and PostgreSQL:
 * - ids are text (UUID strings made by `crypto.randomUUID()`);
 * - timestamps are ISO 8601 UTC text from `Date.prototype.toISOString()` (always 24 characters, so
 *   text order is time order and `<` compares instants on both engines); the database never
 *   stamps time itself, so a test clock can drive every timestamp;
 * - booleans are integers 0/1 (better-sqlite3 cannot bind `true`);
 * - JSON is text, parsed in the one place that turns a row into a domain object.
 *
 * A new table is a new migration in `./migrations/` plus an interface here.
 */
import type { Generated } from 'kysely';
import type { RecordOutcomeKind, RunPhase, RunState } from '../sync/ports.ts';
import type { IntBool, IsoTimestamp } from './column-types.ts';
import type { AccountsTables } from './types-accounts.ts';
import type { AgentsTables } from './types-agents.ts';
import type { AlertsTables } from './types-alerts.ts';
import type { LinksTables } from './types-links.ts';

export type { IntBool, IsoTimestamp } from './column-types.ts';

export const runTriggers = ['manual', 'schedule', 'cli', 'api'] as const;
export type RunTrigger = (typeof runTriggers)[number];

export interface IntegrationsTable {
  id: string;
  /** Unique: the YAML file, the CLI and the UI name an integration by it. */
  name: string;
  /** The integration document (`src/integrations/schema.ts`) as JSON text. */
  document: string;
  enabled: IntBool;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
  /** The document's `installation`, as a column so workers can pass over Local runs in SQL (0005). */
  installation: Generated<'cloud' | 'local'>;
  /** The agent a Local integration is assigned to (the document's `agent`, resolved); null for Cloud (0005). */
  agent_id: Generated<string | null>;
}

export interface RunsTable {
  id: string;
  /** Null for a CLI run of a file, and after the integration is deleted. */
  integration_id: string | null;
  /** Kept so a run still says what it ran after its integration is renamed or deleted. */
  integration_name: string;
  state: RunState;
  dry_run: IntBool;
  trigger: RunTrigger;
  created: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  skipped: Generated<number>;
  /** Dropped by a filter rule (migration 0006; before it, such records were counted as skipped). */
  filtered: Generated<number>;
  failed: Generated<number>;
  /** Offboarding's outcomes (migration 0007). */
  suspended: Generated<number>;
  unsuspended: Generated<number>;
  saas_created: Generated<number>;
  saas_updated: Generated<number>;
  saas_unchanged: Generated<number>;
  saas_skipped: Generated<number>;
  saas_filtered: Generated<number>;
  saas_failed: Generated<number>;
  saas_suspended: Generated<number>;
  saas_unsuspended: Generated<number>;
  phase: RunPhase | null;
  /** How many items the current phase has, when known (for a progress bar). */
  phase_total: number | null;
  error: string | null;
  fuse_reason: string | null;
  queued_at: IsoTimestamp;
  started_at: IsoTimestamp | null;
  finished_at: IsoTimestamp | null;
  heartbeat_at: IsoTimestamp | null;
  worker_id: string | null;
  cancel_requested: Generated<IntBool>;
  /** 0008: who started it, in words as they were then (an e-mail, an API token's name); null for the schedule and the CLI. */
  started_by: string | null;
  /** 0008: the person who started it, told when their dry run fails. */
  started_by_user_id: string | null;
}

export interface RunRecordsTable {
  run_id: string;
  /** Order of reporting within the run, from 1. */
  seq: number;
  kind: 'user' | 'saas';
  source_id: string | null;
  label: string;
  outcome: RecordOutcomeKind;
  reason: string | null;
  destination_id: string | null;
  /** `FieldChange[]` as JSON text. */
  changes: string;
}

/** Every table: 0001's here, 0002's (people, credentials) in `types-accounts.ts`, 0003's in `types-alerts.ts`, 0005's in `types-agents.ts`, 0007's in `types-links.ts`. */
export interface Database extends AccountsTables, AlertsTables, AgentsTables, LinksTables {
  integrations: IntegrationsTable;
  runs: RunsTable;
  run_records: RunRecordsTable;
}
