/**
 * A preview of an integration while it is edited: reads the tenant's NinjaOne users with the
 * document's stored credential, runs the mapping and answers the first records as they would be
 * written, what the filters drop and why, what fails, and a few sample values of each catalogue
 * field. Nothing is written anywhere.
 *
 * The checks are the run's own: the document is checked against the Oomnitza connection's users
 * data model as the save checks it (a field the tenant lacks is a 400 naming it), and each kept
 * record is converted into its fields' types as the run converts it, so a value the run would fail
 * (a dropdown value outside its list, a text too long) is a failed record here, naming the field.
 * Of Oomnitza only the data model is read (the stored one, else once, briefly); when it cannot be
 * read, the preview says so in `warnings` and shows the records unconverted.
 *
 * @example
 * POST /api/integrations/preview { "document": { ...integration }, "limit": 5 }
 * → { "total": 120, "kept": [{ "sourceId": "7", "label": "ada@example.com", "fields": { "email": "ada@example.com" } }], ... }
 */
import { previewContracts } from '../../contracts/preview.ts';
import { storedNinjaOneClient } from '../../credentials/ninjaone-client.ts';
import { findOomnitzaConnectionByName } from '../../credentials/oomnitza-connections.ts';
import { type DataModelLookup, lookUpDataModel } from '../../credentials/oomnitza-data-model.ts';
import { findCredentialRowByName } from '../../credentials/store.ts';
import { CredentialUnusableError } from '../../credentials/tokens.ts';
import { checkStoredIntegration } from '../../integrations/integration-store.ts';
import { catalogue } from '../../mapping/catalogue.ts';
import { type CompiledMapping, type MapOutcome, MappingValidationError } from '../../mapping/compile.ts';
import { convertOutcomes, typedTargets } from '../../mapping/convert-records.ts';
import { compileSandboxedMapping, ExpressionLimitError, previewBudget } from '../../mapping/sandbox/sandboxed-mapping.ts';
import { type SourceUser, type UserSource, withSyncTime } from '../../mapping/source-record.ts';
import { NinjaOneAuthError } from '../../ninjaone/errors.ts';
import { createNinjaOneSource } from '../../ninjaone/source.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { Preview } from '../../contracts/preview.ts';
import type { Integration } from '../../integrations/schema.ts';
import type { AppContext } from '../context.ts';
import type { RouteKit } from '../route-kit.ts';

const samplesPerField = 3;

function sampleText(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (Array.isArray(value)) return value.length === 0 ? null : value.map(String).join(', ');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Up to three distinct non-empty values per catalogue field, in the tenant's order. */
export function sampleValues(users: readonly SourceUser[], now: Date): Record<string, string[]> {
  const samples: Record<string, string[]> = Object.fromEntries(catalogue.map((field) => [field.key, []]));
  for (const user of users) {
    const record = withSyncTime(user, now) as unknown as Record<string, unknown>;
    let full = true;
    for (const field of catalogue) {
      const list = samples[field.key] as string[];
      if (list.length >= samplesPerField) continue;
      full = false;
      const text = sampleText(record[field.key]);
      if (text !== null && !list.includes(text)) list.push(text);
    }
    if (full) break;
  }
  return samples;
}

/** The kept, dropped and failed records, the first `limit` of each with the totals. */
export function summariseOutcomes(outcomes: readonly MapOutcome[], limit: number): Omit<Preview, 'total' | 'samples' | 'warnings'> {
  const kept: Preview['kept'] = [];
  const dropped: Preview['dropped'] = [];
  const failed: Preview['failed'] = [];
  for (const outcome of outcomes) {
    if (outcome.kept) kept.push({ sourceId: outcome.record.sourceId, label: outcome.record.label, fields: { ...outcome.record.fields } });
    else ('error' in outcome ? failed : dropped).push({ sourceId: outcome.sourceId, label: outcome.label, reason: outcome.reason });
  }
  return {
    kept: kept.slice(0, limit),
    keptTotal: kept.length,
    dropped: dropped.slice(0, limit),
    droppedTotal: dropped.length,
    failed: failed.slice(0, limit),
    failedTotal: failed.length,
  };
}

/** The NinjaOne reader of the document's stored credential (the worker's, without the destination). */
async function sourceFor(context: AppContext, document: Integration): Promise<UserSource> {
  const name = document.source.credential as string; // checkStoredIntegration has made sure it exists
  const credential = await findCredentialRowByName(context.db, name);
  if (!credential)
    throw new ApiError(400, 'validation_failed', `there is no credential named "${name}"`, {
      fields: [
        { path: 'source.credential', message: `there is no credential named "${name}"; add it under Credentials or pick an existing one` },
      ],
    });
  return createNinjaOneSource(storedNinjaOneClient(context, credential));
}

function unusable(name: string, error: unknown): never {
  if (error instanceof CredentialUnusableError)
    throw new ApiError(409, 'credential_unusable', error.message, { credential: name }, { cause: error });
  if (error instanceof NinjaOneAuthError)
    throw new ApiError(
      409,
      'credential_unusable',
      `NinjaOne refused the credential "${name}": ${error.message}. Open the credential and check it, or authenticate again.`,
      { credential: name },
      { cause: error },
    );
  const message = error instanceof Error ? error.message : String(error);
  throw new ApiError(
    502,
    'ninjaone_unavailable',
    `could not read from NinjaOne with the credential "${name}": ${message}. Check the NinjaOne URL, then refresh the preview.`,
    { credential: name },
    { cause: error },
  );
}

/**
 * The compiled mapping, evaluated in the expression sandbox within the preview's budget; a problem
 * `checkStoredIntegration` let through is still a 400 with its path.
 */
function compile(context: AppContext, document: Integration): CompiledMapping {
  try {
    return compileSandboxedMapping(document, previewBudget(context.config.expressionLimits));
  } catch (error) {
    if (!(error instanceof MappingValidationError)) throw error;
    const fields = error.problems.map((p) => ({
      path: p.path.map((part, i) => (typeof part === 'number' ? `[${String(part)}]` : i === 0 ? part : `.${part}`)).join(''),
      message: p.message,
    }));
    throw new ApiError(400, 'validation_failed', error.message, { fields }, { cause: error });
  }
}

/** Reads, maps and summarises; never writes. */
export async function previewIntegration(context: AppContext, document: Integration, limit: number): Promise<Preview> {
  if (document.installation === 'local')
    throw new ApiError(
      409,
      'local_installation',
      "a Local integration's NinjaOne credentials stay on its agent, so the server cannot read NinjaOne for a preview; use Dry run, which the agent runs",
    );
  // The data model is read once (kept for the conversion below); the check uses the same answer.
  const lookups = new Map<string, Promise<DataModelLookup>>();
  const readDataModel = (connectionId: string): Promise<DataModelLookup> => {
    let lookup = lookups.get(connectionId);
    if (lookup === undefined) {
      lookup = lookUpDataModel(context.db, context.vault, connectionId, context.now());
      lookups.set(connectionId, lookup);
    }
    return lookup;
  };
  const checked = await checkStoredIntegration(context.db, document, { readDataModel });
  // The destination's own problems (a connection not chosen yet) do not stop a preview of the source and the mapping.
  const problems = checked.problems.filter((p) => !p.path.startsWith('destination.'));
  if (problems.length > 0) {
    throw new ApiError(
      400,
      'validation_failed',
      `the integration has ${String(problems.length)} problem${problems.length === 1 ? '' : 's'}: ${problems[0]?.path ?? ''}: ${problems[0]?.message ?? ''}`,
      { fields: problems },
    );
  }
  const compiled = compile(context, document);
  const source = await sourceFor(context, document);
  const name = document.source.credential as string;
  const [users, organizations, devices] = await Promise.all([
    source.listUsers(document.source.userType === undefined ? {} : { userType: document.source.userType }),
    compiled.needs.organizations ? source.listOrganizations() : [],
    compiled.needs.devices ? source.listDevices() : [],
  ]).catch((error: unknown) => unusable(name, error));
  const runStartedAt = context.now();
  const mapped = await compiled
    .mapAll(users, {
      runStartedAt,
      organizations: new Map(organizations.map((o) => [o.id, o])),
      devices: new Map(devices.map((d) => [d.id, d])),
    })
    .catch((error: unknown) => {
      if (!(error instanceof ExpressionLimitError)) throw error;
      // The expression, not the server, is at fault: 422 with the field, so the editor can point at it.
      throw new ApiError(
        422,
        'expression_limit',
        error.message,
        { field: error.step?.path ?? null, record: error.record ?? null, limit: error.limit },
        { cause: error },
      );
    });
  const model = await modelOf(context, document, lookups);
  const outcomes = convertOutcomes(mapped, model === null ? null : typedTargets(model, compiled.targetFields));
  return {
    total: users.length,
    ...summariseOutcomes(outcomes, limit),
    samples: sampleValues(users, runStartedAt),
    warnings: checked.warnings,
  };
}

/** The fields of the connection's data model the check read, when it had one. */
async function modelOf(
  context: AppContext,
  document: Integration,
  lookups: ReadonlyMap<string, Promise<DataModelLookup>>,
): Promise<Parameters<typeof typedTargets>[0]> {
  if (document.destination.connection === undefined) return null;
  const connection = await findOomnitzaConnectionByName(context.db, document.destination.connection);
  const lookup = connection === undefined ? undefined : await lookups.get(connection.id);
  return lookup?.ok === true && lookup.model.available ? lookup.model.fields : null;
}

export function registerPreviewRoutes({ app, context, registry, authorize }: RouteKit): void {
  defineRoute(app, registry, authorize, {
    ...previewContracts.preview,
    access: 'viewer',
    handler: async ({ body }) => previewIntegration(context, body.document, body.limit),
  });
}
