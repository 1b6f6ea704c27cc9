/**
 * The emulator's admin API under `/__admin`, kept apart from the vendor API: no vendor auth, and
 * the knobs leave it alone, so a test can always read the log or switch a fault off.
 *
 *   GET/PUT    /__admin/knobs               knob settings (PUT merges the given keys)
 *   GET/DELETE /__admin/requests            the request log
 *   GET/PUT    /__admin/data                the whole data set (PUT replaces it)
 *   POST       /__admin/users               create a user (read-only fields such as uid allowed)
 *   PATCH/DELETE /__admin/users/:ident      change or delete a user
 *   GET/POST   /__admin/fields              users data model; POST adds a custom field
 *   DELETE     /__admin/fields/:externalId  remove a custom field and its values
 *   POST       /__admin/tokens              add an API token `{token, username?}`
 *   DELETE     /__admin/tokens/:token       revoke a token (it then gets 403)
 *
 * @example
 * await fetch(`${url}/__admin/knobs`, { method: 'PUT', body: JSON.stringify({ ratePerSecond: 5 }), headers: { 'content-type': 'application/json' } });
 */
import { exportData, importData } from './data.ts';
import { fieldError, notFound, OomnitzaApiError } from './errors.ts';
import { addCustomField } from './fields.ts';
import { rebuildUniqueIndex } from './store.ts';
import { createUser, deleteUser, findUser, updateUser } from './users-store.ts';

import type { FastifyInstance } from 'fastify';
import type { Knobs, KnobSettings } from '../common/knobs.ts';
import type { FieldDefinition } from './fields.ts';
import type { OomnitzaStore } from './store.ts';

const adminActor = 'admin';
const knobKeys = ['latencyMs', 'jitterMs', 'ratePerSecond', 'maxConcurrent', 'retryAfterSeconds', 'faults'] as const;

export function registerAdminRoutes(app: FastifyInstance, store: OomnitzaStore, knobs: Knobs): void {
  app.get('/__admin/knobs', async () => knobs.settings);
  app.put('/__admin/knobs', async function putKnobs(request) {
    const body = objectBody(request.body);
    const next: Partial<KnobSettings> = {};
    for (const [key, value] of Object.entries(body)) {
      if (!(knobKeys as readonly string[]).includes(key))
        throw fieldError(key, `unknown knob; known knobs: ${knobKeys.join(', ')}`, 'unknown_field');
      if (key === 'faults' ? !Array.isArray(value) : typeof value !== 'number' || value < 0)
        throw fieldError(key, key === 'faults' ? 'must be a list of fault rules' : 'must be a number ≥ 0', 'wrong_type');
      Object.assign(next, { [key]: value });
    }
    Object.assign(knobs.settings, next);
    return knobs.settings;
  });

  app.get('/__admin/requests', async () => knobs.log);
  app.delete('/__admin/requests', async (_request, reply) => {
    knobs.clearLog();
    return reply.code(204).send();
  });

  app.get('/__admin/data', async () => exportData(store));
  app.put('/__admin/data', async (request) => {
    importData(store, request.body);
    return { users: store.users.size, saas: store.saas.size, saasRoles: store.saasRoles.size, saasUsers: store.saasUsers.size };
  });

  app.post('/__admin/users', async (request, reply) =>
    reply.code(201).send(createUser(store, request.body, adminActor, { allowReadOnly: true })),
  );
  app.patch<{ Params: { ident: string } }>('/__admin/users/:ident', async (request) =>
    updateUser(store, findUser(store, request.params.ident).uid, request.body, adminActor, { allowReadOnly: true }),
  );
  app.delete<{ Params: { ident: string } }>('/__admin/users/:ident', async (request) =>
    deleteUser(store, findUser(store, request.params.ident).uid),
  );

  app.get('/__admin/fields', async () => [...store.fields.values()]);
  app.post('/__admin/fields', async function postField(request, reply) {
    const body = objectBody(request.body) as unknown as FieldDefinition;
    if (typeof body.externalId !== 'string') throw fieldError('externalId', 'is required, e.g. "ninja_uid"', 'required_field');
    if (typeof body.label !== 'string') throw fieldError('label', 'is required, e.g. "NinjaOne UID"', 'required_field');
    const field = addCustomField(store.fields, {
      ...body,
      unique: body.unique === true,
      readOnly: body.readOnly === true,
      required: body.required === true,
    });
    try {
      rebuildUniqueIndex(store);
    } catch (error) {
      store.fields.delete(field.externalId);
      rebuildUniqueIndex(store);
      throw error;
    }
    return reply.code(201).send(field);
  });
  app.delete<{ Params: { externalId: string } }>('/__admin/fields/:externalId', async function deleteField(request, reply) {
    const field = store.fields.get(request.params.externalId);
    if (!field) throw notFound('users field', request.params.externalId);
    if (field.system)
      throw new OomnitzaApiError(400, 'system_field', `${field.externalId}: a system field cannot be removed`, { field: field.externalId });
    store.fields.delete(field.externalId);
    for (const user of store.users.values()) delete user[field.externalId];
    rebuildUniqueIndex(store);
    return reply.code(204).send();
  });

  app.post('/__admin/tokens', async function postToken(request, reply) {
    const { token, username } = objectBody(request.body);
    if (typeof token !== 'string' || token.length < 8)
      throw fieldError('token', 'is required: text of at least 8 characters', 'required_field');
    store.tokens.set(token, { token, username: typeof username === 'string' ? username : 'api-user', revoked: false });
    return reply.code(201).send({ username: typeof username === 'string' ? username : 'api-user' });
  });
  app.delete<{ Params: { token: string } }>('/__admin/tokens/:token', async function revokeToken(request, reply) {
    const known = store.tokens.get(request.params.token);
    if (!known) throw new OomnitzaApiError(404, 'not_found', 'no such API token');
    known.revoked = true;
    return reply.code(204).send();
  });
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new OomnitzaApiError(400, 'invalid_body', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}
