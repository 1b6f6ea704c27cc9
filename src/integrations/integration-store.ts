/**
 * Integrations kept on the server: the same document as the YAML file (`schema.ts`), stored as
 * JSON, with the rules a server adds to the file's: secrets are never inline (the source names a
 * stored credential, the destination a stored Oomnitza connection), and names are unique.
 *
 * `checkStoredIntegration` returns every problem with its path, so the API and the UI can show each
 * next to its field. With a `readDataModel`, the mapping is also checked against the tenant's users
 * data model (read on first need when not stored yet); when it cannot be read, the integration is
 * saved all the same with a warning that says the mapping was not checked and why.
 *
 * @example
 * const { problems, warnings } = await checkStoredIntegration(db, document, { readDataModel });
 * if (problems.length === 0) await createIntegration(db, document, now, { readDataModel });
 */
import { randomUUID } from 'node:crypto';

import { getStoredDataModel } from '../credentials/oomnitza-data-model.ts';
import { lockNameReferences } from '../db/reference-lock.ts';
import { validateMapping } from '../mapping/validate.ts';
import { compileSchedule, ScheduleError } from '../schedule/schedule-times.ts';
import { localInstallationProblems } from './local-installation.ts';
import { type Integration, integrationSchema } from './schema.ts';
import { formatPath } from './yaml-locate.ts';

import type { Insertable, Selectable } from 'kysely';
import type { DataModelLookup } from '../credentials/oomnitza-data-model.ts';
import type { AppDb } from '../db/app-database.ts';
import type { IntegrationsTable } from '../db/types.ts';

export interface StoredIntegration {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly document: Integration;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DocumentProblem {
  /** Dotted path, e.g. `source.credential` or `mapping.email.expr`. */
  readonly path: string;
  readonly message: string;
}

export interface CheckOptions {
  /**
   * The users data model of an Oomnitza connection, read now when it is not stored yet. Without
   * it, only a stored model is checked against (and none is no warning).
   */
  readonly readDataModel?: (connectionId: string) => Promise<DataModelLookup>;
}

/** What a check found: problems refuse the save; warnings say what could not be checked. */
export interface CheckResult {
  readonly problems: DocumentProblem[];
  readonly warnings: DocumentProblem[];
}

export class IntegrationStoreError extends Error {
  override readonly name = 'IntegrationStoreError';
  constructor(
    readonly code: 'not_found' | 'name_taken' | 'invalid',
    message: string,
    readonly problems: readonly DocumentProblem[] = [],
  ) {
    super(message);
  }
}

export function integrationRowToIntegration(row: Selectable<IntegrationsTable> | Insertable<IntegrationsTable>): StoredIntegration {
  // Stored documents were valid when written; parsing again applies defaults added since.
  const document = integrationSchema.parse(JSON.parse(row.document));
  return { id: row.id, name: row.name, enabled: row.enabled === 1, document, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Every problem (and warning) of a parsed document as a server-stored integration. */
export async function checkStoredIntegration(db: AppDb, document: Integration, options: CheckOptions = {}): Promise<CheckResult> {
  const { problems, warnings } = await checkWithAgent(db, document, options);
  return { problems, warnings };
}

/** The problems and warnings, and the agent a Local integration is assigned to. */
async function checkWithAgent(db: AppDb, document: Integration, options: CheckOptions): Promise<CheckResult & { agentId: string | null }> {
  const warnings: DocumentProblem[] = [];
  const problems: DocumentProblem[] = validateMapping(document).map((p) => ({
    path: formatPath(p.path),
    message: p.position === undefined ? p.message : `${p.message} (at character ${p.position + 1})`,
  }));
  problems.push(...scheduleAndContactProblems(document));
  const local = await localInstallationProblems(db, document);
  // A Local integration names no stored credential or connection: the agent holds the secrets.
  if (document.installation === 'local') return { problems: [...problems, ...local.problems], warnings, agentId: local.agentId };
  problems.push(...local.problems);
  const { source, destination } = document;
  for (const key of ['clientSecret', 'refreshToken', 'clientId', 'url'] as const) {
    if (source[key] !== undefined)
      problems.push({
        path: `source.${key}`,
        message:
          'an integration on the server names a stored credential instead of inline credentials: remove this and set source.credential',
      });
  }
  for (const key of ['apiToken', 'url'] as const) {
    if (destination[key] !== undefined)
      problems.push({
        path: `destination.${key}`,
        message: 'an integration on the server names a stored Oomnitza connection: remove this and set destination.connection',
      });
  }
  const references = await referenceProblems(db, document);
  problems.push(...references.problems);
  if (references.connectionId !== null) {
    const checked = await dataModelProblems(db, references.connectionId, document, problems, options);
    problems.push(...checked.problems);
    warnings.push(...checked.warnings);
  }
  return { problems, warnings, agentId: null };
}

/** A Cloud integration's stored credential and connection, each named and there; and the connection's id. */
async function referenceProblems(db: AppDb, document: Integration): Promise<{ problems: DocumentProblem[]; connectionId: string | null }> {
  const problems: DocumentProblem[] = [];
  const { source, destination } = document;
  if (!source.credential)
    problems.push({ path: 'source.credential', message: 'name the NinjaOne credential to use (add one under Credentials first)' });
  else if (!(await db.selectFrom('credentials').select('id').where('name', '=', source.credential).executeTakeFirst())) {
    problems.push({
      path: 'source.credential',
      message: `there is no credential named "${source.credential}"; add it under Credentials or pick an existing one`,
    });
  }
  if (!destination.connection) {
    problems.push({
      path: 'destination.connection',
      message: 'name the Oomnitza connection to write to (add one under Oomnitza connections first)',
    });
    return { problems, connectionId: null };
  }
  const connection = await db.selectFrom('oomnitza_connections').select('id').where('name', '=', destination.connection).executeTakeFirst();
  if (!connection)
    problems.push({
      path: 'destination.connection',
      message: `there is no Oomnitza connection named "${destination.connection}"; add it or pick an existing one`,
    });
  return { problems, connectionId: connection?.id ?? null };
}

/**
 * Writes a checked integration: the check of its credential and connection is made once more under
 * the lock a delete or rename of them takes, so none can go between that check and this write.
 */
async function writeChecked(db: AppDb, document: Integration, write: (trx: AppDb) => Promise<void>): Promise<void> {
  await db.transaction().execute(async function writeUnderReferenceLock(trx) {
    await lockNameReferences(trx);
    if (document.installation !== 'local') {
      const { problems } = await referenceProblems(trx, document);
      if (problems.length > 0)
        throw new IntegrationStoreError(
          'invalid',
          `the integration has a problem: ${problems[0]!.path}: ${problems[0]!.message}`,
          problems,
        );
    }
    await write(trx);
  });
}

/**
 * The schedule must fire (a cron pattern croner accepts, an IANA time zone) and each contact must
 * be an e-mail address: a server never stores a schedule that would never run or an address that
 * alerts could not reach.
 */
function scheduleAndContactProblems(document: Integration): DocumentProblem[] {
  const problems: DocumentProblem[] = [];
  // The zone is checked first; with a bad zone, the pattern is checked again in UTC, so both show.
  for (const schedule of [document.schedule, { ...document.schedule, timezone: 'UTC' }]) {
    try {
      compileSchedule(schedule);
      break;
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error;
      problems.push({ path: `schedule.${error.field}`, message: error.message.replace(/^schedule\.\w+: /, '') });
      if (error.field !== 'timezone') break;
    }
  }
  document.contacts.forEach((contact, index) => {
    if (!emailPattern.test(contact.trim()))
      problems.push({ path: `contacts.${String(index)}`, message: `"${contact}" is not an e-mail address; write it as name@example.com` });
  });
  return problems;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The mapping against the connection's users data model (as last read, or read now: the mapping
 * page reads it, "Refresh fields" renews it): a target the tenant lacks, a sync key it does not mark
 * unique, a source that cannot convert into its field are refused at save, with the fix, as the run
 * would refuse them. No model to check against: saved, with a warning that says why.
 */
async function dataModelProblems(
  db: AppDb,
  connectionId: string,
  document: Integration,
  known: readonly DocumentProblem[],
  options: CheckOptions,
): Promise<CheckResult> {
  const path = 'destination.connection';
  let lookup: DataModelLookup | null;
  if (options.readDataModel) lookup = await options.readDataModel(connectionId);
  else {
    const stored = await getStoredDataModel(db, connectionId);
    lookup = stored === null ? null : { ok: true, model: stored };
  }
  if (lookup === null) return { problems: [], warnings: [] };
  if (!lookup.ok)
    return {
      problems: [],
      warnings: [
        {
          path,
          message: `the mapping was not checked against Oomnitza's data model: ${lookup.reason}. Each run checks it again; use "Refresh fields" once the instance answers`,
        },
      ],
    };
  const { model } = lookup;
  if (!model.available)
    return {
      problems: [],
      warnings: [
        {
          path,
          message: `the mapping is not checked against Oomnitza's data model: ${model.reason}. Runs write the fields as mapped, and Oomnitza refuses what does not fit`,
        },
      ],
    };
  const seen = new Set(known.map((p) => `${p.path}\n${p.message}`));
  const problems = validateMapping(document, { oomnitzaFields: model.fields })
    .map((p) => ({ path: formatPath(p.path), message: p.message }))
    .filter((p) => !seen.has(`${p.path}\n${p.message}`));
  return { problems, warnings: [] };
}

/** Throws with every problem; answers the agent a Local integration is assigned to, and the warnings. */
async function assertValid(
  db: AppDb,
  document: Integration,
  exceptId: string | null,
  options: CheckOptions,
): Promise<{ agentId: string | null; warnings: DocumentProblem[] }> {
  const { problems, warnings, agentId } = await checkWithAgent(db, document, options);
  const clash = await db.selectFrom('integrations').select('id').where('name', '=', document.name).executeTakeFirst();
  if (clash && clash.id !== exceptId)
    problems.push({ path: 'name', message: `an integration named "${document.name}" exists already; choose another name` });
  if (problems.length > 0)
    throw new IntegrationStoreError(
      'invalid',
      `the integration has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems[0]!.path}: ${problems[0]!.message}`,
      problems,
    );
  return { agentId, warnings };
}

/** A saved integration, with what could not be checked (see `CheckOptions`). */
export type SavedIntegration = StoredIntegration & { readonly warnings: DocumentProblem[] };

export async function createIntegration(
  db: AppDb,
  document: Integration,
  now: Date,
  options: CheckOptions = {},
): Promise<SavedIntegration> {
  const { agentId, warnings } = await assertValid(db, document, null, options);
  const row = {
    id: randomUUID(),
    name: document.name,
    document: JSON.stringify(document),
    enabled: document.enabled ? (1 as const) : (0 as const),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    installation: document.installation,
    agent_id: agentId,
  };
  await writeChecked(db, document, async (trx) => {
    await trx.insertInto('integrations').values(row).execute();
  });
  return { ...integrationRowToIntegration(row), warnings };
}

export async function replaceIntegration(
  db: AppDb,
  id: string,
  document: Integration,
  now: Date,
  options: CheckOptions = {},
): Promise<SavedIntegration> {
  const existing = await getIntegration(db, id);
  const { agentId, warnings } = await assertValid(db, document, id, options);
  const values = {
    name: document.name,
    document: JSON.stringify(document),
    enabled: document.enabled ? (1 as const) : (0 as const),
    updated_at: now.toISOString(),
    installation: document.installation,
    agent_id: agentId,
  };
  await writeChecked(db, document, async (trx) => {
    const result = await trx.updateTable('integrations').set(values).where('id', '=', id).executeTakeFirst();
    // Deleted while the document was checked: nothing was saved, and the answer must not say it was.
    if (Number(result.numUpdatedRows) === 0)
      throw new IntegrationStoreError('not_found', `no integration with id ${id} (it was deleted meanwhile)`);
  });
  return { ...existing, name: document.name, enabled: document.enabled, document, updatedAt: values.updated_at, warnings };
}

export async function getIntegration(db: AppDb, id: string): Promise<StoredIntegration> {
  const row = await db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new IntegrationStoreError('not_found', `no integration with id ${id}`);
  return integrationRowToIntegration(row);
}

export async function findIntegrationByName(db: AppDb, name: string): Promise<StoredIntegration | null> {
  const row = await db.selectFrom('integrations').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? integrationRowToIntegration(row) : null;
}

export async function listIntegrations(db: AppDb): Promise<StoredIntegration[]> {
  return (await db.selectFrom('integrations').selectAll().orderBy('name').execute()).map(integrationRowToIntegration);
}

export async function deleteIntegration(db: AppDb, id: string): Promise<void> {
  const result = await db.deleteFrom('integrations').where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new IntegrationStoreError('not_found', `no integration with id ${id}`);
  // Its offboarding links (kept under its id, see src/runs/user-links.ts) go with it.
  await db.deleteFrom('user_links').where('integration_key', '=', id).execute();
}
