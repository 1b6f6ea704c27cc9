/**
 * Tables of migration 0007: the user links offboarding works from. Same portable types as `types.ts`.
 */
import type { IsoTimestamp } from './column-types.ts';

export interface UserLinksTable {
  /** The stored integration's id, or `file:<name>` for a run of an integration file. */
  integration_key: string;
  /** NinjaOne's uid of the user (`id:<id>` for a user that had none). */
  ninjaone_uid: string;
  /** NinjaOne's id of the user, as text (the run records' `source_id`). */
  ninjaone_id: string;
  oomnitza_uid: string;
  /** The record's label when last seen, to name a user who left NinjaOne. */
  label: string;
  /** When offboarding suspended the user; null when it has not, or unsuspended it since. */
  suspended_at: IsoTimestamp | null;
  /** When this pair was first linked. */
  linked_at: IsoTimestamp;
}

export interface LinksTables {
  user_links: UserLinksTable;
}
