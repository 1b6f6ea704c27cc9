/**
 * `/api/v3/users` routes: list with filter/sortby/skip/limit/fields and `x-total-count`, create,
 * read, edit, delete, and the users metadata (`GET /api/v3/users/meta`).
 *
 * @example
 * registerUserRoutes(app, store, actorOf);
 */
import { fieldError } from './errors.ts';
import { runListQuery } from './list-query.ts';
import { createUser, deleteUser, findUser, updateUser, userFilterSchema } from './users-store.ts';

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldDefinition } from './fields.ts';
import type { ListQuery } from './list-query.ts';
import type { OomnitzaStore } from './store.ts';

type IdentRequest = FastifyRequest<{ Params: { ident: string }; Querystring: { alternative_id?: string } }>;

export function registerUserRoutes(app: FastifyInstance, store: OomnitzaStore, actorOf: (request: FastifyRequest) => string): void {
  app.get<{ Querystring: ListQuery }>('/api/v3/users', async function listUsers(request, reply) {
    const page = runListQuery(store.users.values(), request.query, {
      schema: userFilterSchema(store),
      objectName: 'users',
      tieBreaker: 'uid',
    });
    return reply.header('x-total-count', String(page.total)).send(page.items.map((u) => renderUser(store, u)));
  });

  // The static path wins over /api/v3/users/:ident, so a user named "meta" is reachable by uid only.
  // Not in the spec export; a third-party client calls GET /api/v3/<object>/meta, and the spec's
  // "Metadata fields" schema (an object keyed by external id) is what it answers. [INFERRED]
  app.get('/api/v3/users/meta', async function usersMeta() {
    const out: Record<string, unknown> = {};
    let order = 0;
    for (const field of store.fields.values()) out[field.externalId] = metadataOf(field, ++order);
    return out;
  });

  app.post('/api/v3/users', async function postUser(request) {
    return renderUser(store, createUser(store, request.body, actorOf(request)));
  });

  app.get('/api/v3/users/:ident', async function getUser(request: IdentRequest) {
    return renderUser(store, findUser(store, request.params.ident, request.query.alternative_id));
  });

  app.patch('/api/v3/users/:ident', async function patchUser(request: IdentRequest) {
    const user = findUser(store, request.params.ident, request.query.alternative_id);
    if (request.body === undefined || request.body === null) throw fieldError('body', 'send a JSON object with the fields to change');
    return renderUser(store, updateUser(store, user.uid, request.body, actorOf(request)));
  });

  app.delete('/api/v3/users/:ident', async function removeUser(request: IdentRequest) {
    const user = findUser(store, request.params.ident, request.query.alternative_id);
    return renderUser(store, deleteUser(store, user.uid));
  });
}

/** A user as answered: fields in data-model order, without the ones that have no value. */
export function renderUser(store: OomnitzaStore, user: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of store.fields.keys()) if (user[name] !== null && user[name] !== undefined) out[name] = user[name];
  return out;
}

/**
 * The spec's User schema declares no field nullable, so a field without a value is left out of the
 * answer rather than sent as null. [INFERRED: the real service may send null; clients must accept both]
 */
export function withoutNulls(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}

/** One field in the spec's `Metadata field` shape (flags as the strings "true"/"false", as the spec types them). */
function metadataOf(field: FieldDefinition, order: number): Record<string, unknown> {
  return {
    internal_id: field.internalId ?? null,
    uid: order,
    label: field.label,
    belongs_to: 'users',
    data_type: field.dataType,
    subtype: field.dataType === 'dropdown' ? 'dropdown' : null,
    length: field.dataType === 'string' || field.dataType === 'email' ? (field.length ?? 255) : null,
    editable: String(!field.readOnly),
    hardcode: 'false',
    optional: String(!field.required),
    display_order: String(order),
    default_value: null,
    unique: String(field.unique === true),
    searchhelp: field.options ? field.options.map((o) => ({ key: o, value: o, help_text: '' })) : null,
    searchhelp_type: null,
    help_text: null,
    dependencies: null,
    flags: { system: field.system === true },
    dropdown_help_text_enabled: 'false',
  };
}
