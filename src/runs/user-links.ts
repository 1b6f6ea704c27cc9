/**
 * The user links offboarding works from: which Oomnitza user each NinjaOne user is, for the users an
 * integration created or matched. They are kept from the outcomes a run reports, in the same
 * transaction as those outcomes (`appendRunRecords`), whoever reports them (the CLI, a worker, an
 * agent), so links and the run's records never disagree, and a run killed halfway leaves the links
 * of the records it stored — a rerun finds the rest by sync key and links them then.
 *
 * - created, updated, unchanged (with a NinjaOne uid and an Oomnitza uid): the pair is linked; a
 *   link either side had before is replaced (one Oomnitza user is one NinjaOne user's). A mark of
 *   suspension stays with the Oomnitza user it was made on.
 * - suspended: the link is marked; unsuspended: the mark is cleared. Written after the write itself,
 *   so a link is never marked for a suspension that was not made.
 * - anything else (skipped, filtered, failed) and dry runs change no link.
 *
 * Steady state costs one select per batch: a link that is already as reported is not written.
 *
 * @example
 * const links = await listUserLinks(db, linkKey({ integrationId: run.integrationId, integrationName: run.integrationName }));
 * createLinkSource(db, key).listLinks(); // the same, as the sync's port
 */
import type { Selectable } from 'kysely';
import type { AppDb } from '../db/app-database.ts';
import type { UserLinksTable } from '../db/types-links.ts';
import type { LinkSource, RecordOutcome, UserLink } from '../sync/ports.ts';

/** What an integration's links are kept under: its id, or `file:<name>` for a run of a file. */
export function linkKey(run: { readonly integrationId: string | null; readonly integrationName: string }): string {
  return run.integrationId ?? `file:${run.integrationName}`;
}

function rowToLink(row: Selectable<UserLinksTable>): UserLink {
  return {
    oomnitzaUid: row.oomnitza_uid,
    ninjaoneUid: row.ninjaone_uid,
    ninjaoneId: row.ninjaone_id,
    label: row.label,
    suspended: row.suspended_at !== null,
  };
}

/** Every link of one integration. @example await listUserLinks(db, integration.id) */
export async function listUserLinks(db: AppDb, key: string): Promise<UserLink[]> {
  const rows = await db.selectFrom('user_links').selectAll().where('integration_key', '=', key).orderBy('ninjaone_uid').execute();
  return rows.map(rowToLink);
}

/** The sync's port over one integration's links. @example runSync({ ..., links: createLinkSource(db, key) }) */
export function createLinkSource(db: AppDb, key: string): LinkSource {
  return { listLinks: () => listUserLinks(db, key) };
}

/** Forgets an integration's links (it was deleted). @example await deleteUserLinks(trx, id) */
export async function deleteUserLinks(db: AppDb, key: string): Promise<void> {
  await db.deleteFrom('user_links').where('integration_key', '=', key).execute();
}

const linking = new Set<RecordOutcome['outcome']>(['created', 'updated', 'unchanged', 'suspended', 'unsuspended']);
/** Values per `IN` list: well under both engines' bind limits with two lists per select. */
const chunk = 500;

/**
 * Applies a batch of reported outcomes to the links of `key`. Call it inside the transaction that
 * stores the outcomes.
 */
export async function applyLinkOutcomes(trx: AppDb, key: string, outcomes: readonly RecordOutcome[], now: Date): Promise<void> {
  const relevant = outcomes.filter(
    (o): o is RecordOutcome & { sourceId: string; destinationId: string; sourceUid: string } =>
      o.kind === 'user' &&
      linking.has(o.outcome) &&
      typeof o.sourceId === 'string' &&
      typeof o.destinationId === 'string' &&
      typeof o.sourceUid === 'string' &&
      o.sourceUid !== '',
  );
  if (relevant.length === 0) return;

  const byNinja = new Map<string, Selectable<UserLinksTable>>();
  const byOomnitza = new Map<string, Selectable<UserLinksTable>>();
  const ninjaUids = [...new Set(relevant.map((o) => o.sourceUid))];
  const oomnitzaUids = [...new Set(relevant.map((o) => o.destinationId))];
  for (let i = 0; i < Math.max(ninjaUids.length, oomnitzaUids.length); i += chunk) {
    const n = ninjaUids.slice(i, i + chunk);
    const d = oomnitzaUids.slice(i, i + chunk);
    const rows = await trx
      .selectFrom('user_links')
      .selectAll()
      .where('integration_key', '=', key)
      .where((eb) =>
        eb.or([...(n.length > 0 ? [eb('ninjaone_uid', 'in', n)] : []), ...(d.length > 0 ? [eb('oomnitza_uid', 'in', d)] : [])]),
      )
      .execute();
    for (const row of rows) {
      byNinja.set(row.ninjaone_uid, row);
      byOomnitza.set(row.oomnitza_uid, row);
    }
  }

  // The rows to delete (by NinjaOne uid) and to write, worked out in memory first so that both
  // unique pairs hold at every step and each row is written once.
  const gone = new Set<string>();
  const dirty = new Map<string, Selectable<UserLinksTable>>();
  const stamp = now.toISOString();
  function put(row: Selectable<UserLinksTable>): void {
    byNinja.set(row.ninjaone_uid, row);
    byOomnitza.set(row.oomnitza_uid, row);
    dirty.set(row.ninjaone_uid, row);
    gone.add(row.ninjaone_uid);
  }
  function drop(row: Selectable<UserLinksTable> | undefined): void {
    if (row === undefined) return;
    byNinja.delete(row.ninjaone_uid);
    byOomnitza.delete(row.oomnitza_uid);
    dirty.delete(row.ninjaone_uid);
    gone.add(row.ninjaone_uid);
  }

  for (const o of relevant) {
    const current = byNinja.get(o.sourceUid);
    if (o.outcome === 'suspended') {
      if (current?.oomnitza_uid === o.destinationId && current.suspended_at === null) put({ ...current, suspended_at: stamp });
      continue;
    }
    if (o.outcome === 'unsuspended') {
      const held = byOomnitza.get(o.destinationId);
      if (held !== undefined && held.suspended_at !== null) put({ ...held, suspended_at: null });
      continue;
    }
    if (current?.oomnitza_uid === o.destinationId) {
      if (current.label !== o.label || current.ninjaone_id !== o.sourceId) put({ ...current, label: o.label, ninjaone_id: o.sourceId });
      continue;
    }
    const other = byOomnitza.get(o.destinationId);
    drop(current);
    drop(other);
    put({
      integration_key: key,
      ninjaone_uid: o.sourceUid,
      ninjaone_id: o.sourceId,
      oomnitza_uid: o.destinationId,
      label: o.label,
      suspended_at: other?.suspended_at ?? null,
      linked_at: stamp,
    });
  }

  const deletions = [...gone];
  for (let i = 0; i < deletions.length; i += chunk)
    await trx
      .deleteFrom('user_links')
      .where('integration_key', '=', key)
      .where('ninjaone_uid', 'in', deletions.slice(i, i + chunk))
      .execute();
  const rows = [...dirty.values()];
  for (let i = 0; i < rows.length; i += chunk)
    await trx
      .insertInto('user_links')
      .values(rows.slice(i, i + chunk))
      .execute();
}
