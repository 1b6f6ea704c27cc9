/**
 * Tables of migration 0005: local agents and the record batches they sent. Same portable types as
 * `types.ts`.
 */
import type { IsoTimestamp } from './column-types.ts';

export interface AgentsTable {
  id: string;
  /** Unique: a Local integration's document names its agent by it (`agent: site-a`). */
  name: string;
  /** SHA-256 of the bearer token (shown once at creation, never stored). */
  token_hash: string;
  /** The token's last four characters, to tell tokens apart. */
  token_hint: string;
  /** What the agent said about itself when it enrolled (ninja-sync version, host name). */
  version: string | null;
  hostname: string | null;
  created_by: string | null;
  created_at: IsoTimestamp;
  /** When the agent first called in with its token. */
  enrolled_at: IsoTimestamp | null;
  /** Its last request of any kind: online while this is recent. */
  last_seen_at: IsoTimestamp | null;
  revoked_at: IsoTimestamp | null;
}

export interface RunRecordBatchesTable {
  run_id: string;
  /** The agent's number for the batch, from 1 within a run. */
  batch: number;
  /** How many records it held. */
  records: number;
  received_at: IsoTimestamp;
}

export interface AgentsTables {
  agents: AgentsTable;
  run_record_batches: RunRecordBatchesTable;
}
