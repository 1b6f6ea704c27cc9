/**
 * Integrations: CRUD with the same document as the YAML file, export and import as YAML.
 * Validation answers list every problem with its field path (`details.fields`), so the UI can show
 * each next to its field.
 */
import { integrationContracts } from '../../contracts/integrations.ts';
import { lookUpDataModel } from '../../credentials/oomnitza-data-model.ts';
import { exportIntegrationYaml } from '../../integrations/export.ts';
import {
  createIntegration,
  deleteIntegration,
  findIntegrationByName,
  getIntegration,
  IntegrationStoreError,
  listIntegrations,
  replaceIntegration,
} from '../../integrations/integration-store.ts';
import { type IntegrationProblem, loadIntegrationText } from '../../integrations/load.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { SavedIntegration } from '../../integrations/integration-store.ts';
import type { RouteKit } from '../route-kit.ts';

export function integrationErrorToApi(error: unknown): never {
  if (error instanceof IntegrationStoreError) {
    if (error.code === 'not_found') throw new ApiError(404, 'not_found', error.message);
    throw new ApiError(error.code === 'name_taken' ? 409 : 400, 'validation_failed', error.message, { fields: error.problems });
  }
  throw error;
}

/** `line 3: source.url must be https` — the first problem of a file, as a person reads it. */
function firstProblem(problems: readonly IntegrationProblem[]): string {
  const first = problems[0];
  if (!first) return '';
  return `${first.line !== undefined ? `line ${first.line}: ` : ''}${first.path ? `${first.path} ` : ''}${first.message}`;
}

const yamlTypes = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'];

export function registerIntegrationRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, vault, now } = context;
  // A save checks the mapping against the connection's data model, read now (briefly) if never read.
  const checks = { readDataModel: (connectionId: string) => lookUpDataModel(db, vault, connectionId, now()) };
  app.addContentTypeParser(yamlTypes, { parseAs: 'string', bodyLimit: 512 * 1024 }, (_request, body, done) => done(null, body));

  defineRoute(app, registry, authorize, {
    ...integrationContracts.list,
    access: 'viewer',
    handler: async () => ({ integrations: await listIntegrations(db) }),
  });

  defineRoute(app, registry, authorize, {
    ...integrationContracts.create,
    access: 'admin',
    handler: async ({ body }) => createIntegration(db, body, now(), checks).catch(integrationErrorToApi),
  });

  defineRoute(app, registry, authorize, {
    ...integrationContracts.get,
    access: 'viewer',
    handler: async ({ params }) => getIntegration(db, params.id).catch(integrationErrorToApi),
  });

  defineRoute(app, registry, authorize, {
    ...integrationContracts.replace,
    access: 'admin',
    handler: async ({ params, body }) => replaceIntegration(db, params.id, body, now(), checks).catch(integrationErrorToApi),
  });

  defineRoute(app, registry, authorize, {
    ...integrationContracts.delete,
    access: 'admin',
    handler: async ({ params }) => {
      await deleteIntegration(db, params.id).catch(integrationErrorToApi);
      return undefined;
    },
  });

  defineRoute(app, registry, authorize, {
    ...integrationContracts.export,
    access: 'viewer',
    handler: async ({ params, reply }) => {
      const integration = await getIntegration(db, params.id).catch(integrationErrorToApi);
      const filename = `${integration.name.replace(/[^A-Za-z0-9._-]+/g, '-').toLowerCase() || 'integration'}.yaml`;
      return reply
        .type('application/yaml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(exportIntegrationYaml(integration.document));
    },
  });

  defineRoute(app, registry, authorize, {
    ...integrationContracts.import,
    access: 'admin',
    handler: async ({ query, request, reply }) => {
      if (typeof request.body !== 'string')
        throw new ApiError(415, 'unsupported_media_type', 'send the YAML file as the body with Content-Type: application/yaml');
      // The server reads no variable of its own; a Local file's are its agent's (the names are stored).
      const loaded = loadIntegrationText(request.body, { env: {}, agentResolvesLocal: true });
      if (!loaded.ok) {
        throw new ApiError(
          400,
          'validation_failed',
          `the YAML file has ${loaded.problems.length} problem(s): ${firstProblem(loaded.problems)}`.trim(),
          {
            fields: loaded.problems.map((p) => ({
              path: p.path,
              message: p.message,
              ...(p.line !== undefined ? { line: p.line, column: p.column } : {}),
            })),
          },
        );
      }
      const existing = await findIntegrationByName(db, loaded.integration.name);
      let stored: SavedIntegration;
      if (existing && query.replace === 'true') {
        stored = await replaceIntegration(db, existing.id, loaded.integration, now(), checks).catch(integrationErrorToApi);
        return reply.code(200).send(stored);
      } else {
        stored = await createIntegration(db, loaded.integration, now(), checks).catch(integrationErrorToApi);
      }
      return stored;
    },
  });
}
