/**
 * The OpenAPI 3.1 document, generated from the same zod contracts that validate requests (see
 * `route.ts`), so the docs cannot drift from what the server accepts.
 *
 * @example
 * app.get('/api/docs', async () => buildOpenApi(registry, { version: '0.1.0' }));
 */
import { z } from 'zod';

import type { RouteRegistry } from './route.ts';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    },
  },
} as const;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** Fastify's `/a/:id` as OpenAPI's `/a/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

export function buildOpenApi(registry: RouteRegistry, info: { readonly version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of registry) {
    const path = openApiPath(route.url);
    const responses: Record<string, unknown> = {
      [String(route.status)]: route.response
        ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } }
        : { description: 'No content' },
      default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      'x-access': route.access,
      security: route.access === 'public' ? [] : [{ bearerToken: [] }, { sessionCookie: [] }],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ninja-sync API',
      version: info.version,
      description:
        'Keeps Oomnitza users in step with NinjaOne users. Authenticate with an API token (`Authorization: Bearer nsk_…`) or a browser session; writes from a session need the `x-csrf-token` header. Errors are `{ "error": { "code", "message", "details"? } }`.',
    },
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token created under /api/tokens' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'ns_session' },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
