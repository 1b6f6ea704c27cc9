/**
 * Integrations: CRUD with the same document as the YAML file, export and import as YAML.
 * Validation answers list every problem with its field path (`details.fields`), so the UI can show
 * each next to its field.
 */
import { z } from 'zod';

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
import { integrationSchema } from '../../integrations/schema.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { StoredIntegration } from '../../integrations/integration-store.ts';
import type { RouteKit } from '../app.ts';

export const storedIntegrationSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  document: integrationSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});

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
  const { db, now } = context;
  const idParams = z.strictObject({ id: z.string().min(1) });
  app.addContentTypeParser(yamlTypes, { parseAs: 'string', bodyLimit: 512 * 1024 }, (_request, body, done) => done(null, body));

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/integrations',
    summary: 'List integrations',
    tags: ['integrations'],
    access: 'viewer',
    response: z.strictObject({ integrations: z.array(storedIntegrationSchema) }),
    handler: async () => ({ integrations: await listIntegrations(db) }),
  });

  defineRoute(app, registry, authorize, {
    method: 'POST',
    url: '/api/integrations',
    summary: 'Create an integration',
    tags: ['integrations'],
    access: 'admin',
    body: integrationSchema,
    response: storedIntegrationSchema,
    status: 201,
    handler: async ({ body }) => createIntegration(db, body, now()).catch(integrationErrorToApi),
  });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/integrations/:id',
    summary: 'One integration',
    tags: ['integrations'],
    access: 'viewer',
    params: idParams,
    response: storedIntegrationSchema,
    handler: async ({ params }) => getIntegration(db, params.id).catch(integrationErrorToApi),
  });

  defineRoute(app, registry, authorize, {
    method: 'PUT',
    url: '/api/integrations/:id',
    summary: "Replace an integration's document",
    tags: ['integrations'],
    access: 'admin',
    params: idParams,
    body: integrationSchema,
    response: storedIntegrationSchema,
    handler: async ({ params, body }) => replaceIntegration(db, params.id, body, now()).catch(integrationErrorToApi),
  });

  defineRoute(app, registry, authorize, {
    method: 'DELETE',
    url: '/api/integrations/:id',
    summary: 'Delete an integration (its runs stay, without the link)',
    tags: ['integrations'],
    access: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      await deleteIntegration(db, params.id).catch(integrationErrorToApi);
      return undefined;
    },
  });

  defineRoute(app, registry, authorize, {
    method: 'GET',
    url: '/api/integrations/:id/export',
    summary: 'The integration as a YAML file (no secrets)',
    tags: ['integrations'],
    access: 'viewer',
    params: idParams,
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
    method: 'POST',
    url: '/api/integrations/import',
    summary: 'Create (or, with ?replace=true, replace by name) an integration from a YAML file',
    tags: ['integrations'],
    access: 'admin',
    description:
      'Send the YAML as the body with Content-Type application/yaml. The server does not read its own environment for ${VAR} references: name stored credentials instead.',
    query: z.strictObject({ replace: z.enum(['true', 'false']).default('false') }),
    response: storedIntegrationSchema,
    status: 201,
    handler: async ({ query, request, reply }) => {
      if (typeof request.body !== 'string')
        throw new ApiError(415, 'unsupported_media_type', 'send the YAML file as the body with Content-Type: application/yaml');
      const loaded = loadIntegrationText(request.body, { env: {} });
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
      let stored: StoredIntegration;
      if (existing && query.replace === 'true') {
        stored = await replaceIntegration(db, existing.id, loaded.integration, now()).catch(integrationErrorToApi);
        return reply.code(200).send(stored);
      } else {
        stored = await createIntegration(db, loaded.integration, now()).catch(integrationErrorToApi);
      }
      return stored;
    },
  });
}
