/**
 * SaaS routes: `/api/v3/saas` (list, create, read, edit, delete), the users of one SaaS
 * (`/api/v3/saas/{ident}/users`), its roles (`…/roles`, `…/roles/{saas_role_id}`, `…/roles/users`),
 * and `/api/v3/saas_users` (all SaaS users, activate, deactivate).
 *
 * @example
 * registerSaasRoutes(app, store, actorOf);
 */
import { OomnitzaApiError } from './errors.ts';
import { parseDateValue } from './fields.ts';
import { runListQuery } from './list-query.ts';
import { withoutNulls } from './routes-users.ts';
import {
  changeRoleUsers,
  createRole,
  deleteRole,
  listRoles,
  renderRole,
  replaceUserRoles,
  setUserExternalId,
  updateRole,
} from './saas-roles-store.ts';
import {
  assignSaasUsers,
  createSaas,
  deleteSaas,
  findSaas,
  hasAnyRole,
  renderSaasUser,
  saasFilterSchema,
  saasUserFilterSchema,
  setSaasUsersActive,
  updateSaas,
} from './saas-store.ts';

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ListQuery } from './list-query.ts';
import type { OomnitzaStore } from './store.ts';

type Ident = { Params: { ident: string } };
type RoleIdent = { Params: { ident: string; saas_role_id: string } };

export function registerSaasRoutes(app: FastifyInstance, store: OomnitzaStore, actorOf: (request: FastifyRequest) => string): void {
  app.get<{ Querystring: ListQuery }>('/api/v3/saas', async function listSaas(request, reply) {
    const page = runListQuery(store.saas.values(), request.query, {
      schema: saasFilterSchema(),
      objectName: 'SaaS',
      tieBreaker: 'saas_id',
    });
    return reply.header('x-total-count', String(page.total)).send(page.items.map(withoutNulls));
  });

  // The spec answers a create with `{saas_id}` (as text) under status 200, not the record.
  app.post('/api/v3/saas', async function postSaas(request) {
    return { saas_id: String(createSaas(store, request.body, actorOf(request)).saas_id) };
  });

  app.get<Ident>('/api/v3/saas/:ident', async (request) => withoutNulls(findSaas(store, request.params.ident)));
  app.patch<Ident>('/api/v3/saas/:ident', async (request) =>
    withoutNulls(updateSaas(store, request.params.ident, request.body, actorOf(request))),
  );
  app.delete<Ident>('/api/v3/saas/:ident', async (request) => withoutNulls(deleteSaas(store, request.params.ident)));

  app.get<Ident & { Querystring: { roles?: string; last_visit?: string } }>(
    '/api/v3/saas/:ident/users',
    async function saasUsersOfApp(request) {
      const saas = findSaas(store, request.params.ident);
      // `last_visit` keeps users seen at or after that date (ISO 8601 or unix seconds). [INFERRED meaning]
      const since =
        request.query.last_visit === undefined
          ? null
          : parseDateValue(/^\d+$/.test(request.query.last_visit) ? Number(request.query.last_visit) : request.query.last_visit);
      if (request.query.last_visit !== undefined && since === null) {
        throw new OomnitzaApiError(
          400,
          'invalid_parameter',
          `last_visit: expects an ISO 8601 date or unix seconds, got "${request.query.last_visit}"`,
          { parameter: 'last_visit' },
        );
      }
      return [...store.saasUsers.values()]
        .filter(
          (su) =>
            su.saas_id === saas.saas_id && hasAnyRole(store, su, request.query.roles) && (since === null || (su.last_visit ?? 0) >= since),
        )
        .map((su) => renderSaasUser(store, su));
    },
  );

  // Per-item results (`[{user_id, saas_user_id, error}]`); the spec gives this answer no schema. [INFERRED shape]
  app.post<Ident>('/api/v3/saas/:ident/users', async (request) => assignSaasUsers(store, request.params.ident, request.body));

  app.post<{ Params: { ident: string; user_id: string } }>('/api/v3/saas/:ident/users/:user_id', async (request) =>
    setUserExternalId(store, request.params.ident, request.params.user_id, request.body),
  );

  app.get<Ident>('/api/v3/saas/:ident/roles', async (request) => listRoles(store, request.params.ident).map((r) => renderRole(store, r)));
  app.post<Ident>('/api/v3/saas/:ident/roles', async (request, reply) =>
    reply.code(201).send(renderRole(store, createRole(store, request.params.ident, request.body))),
  );
  app.patch<RoleIdent>('/api/v3/saas/:ident/roles/:saas_role_id', async (request) =>
    renderRole(store, updateRole(store, request.params.ident, request.params.saas_role_id, request.body)),
  );
  app.delete<RoleIdent>('/api/v3/saas/:ident/roles/:saas_role_id', async (request, reply) => {
    deleteRole(store, request.params.ident, request.params.saas_role_id);
    return reply.code(204).send();
  });

  app.post<Ident>('/api/v3/saas/:ident/roles/users', async (request) => changeRoleUsers(store, request.params.ident, request.body, 'add'));
  app.patch<Ident>('/api/v3/saas/:ident/roles/users', async (request) => replaceUserRoles(store, request.params.ident, request.body));
  app.delete<Ident>('/api/v3/saas/:ident/roles/users', async (request, reply) => {
    const result = changeRoleUsers(store, request.params.ident, request.body, 'remove');
    return result.errors.length > 0 ? reply.code(200).send(result) : reply.code(204).send();
  });

  app.get<{ Querystring: ListQuery & { text?: string; roles?: string } }>(
    '/api/v3/saas_users',
    async function listSaasUsers(request, reply) {
      const text = request.query.text?.trim().toLowerCase() ?? '';
      const rendered = [...store.saasUsers.values()]
        .filter((su) => hasAnyRole(store, su, request.query.roles))
        .map((su) => renderSaasUser(store, su))
        .filter((r) => text === '' || [r.email, r.username, r.full_name].some((v) => String(v).toLowerCase().includes(text)));
      const page = runListQuery(rendered, request.query, {
        schema: saasUserFilterSchema(),
        objectName: 'SaaS users',
        tieBreaker: 'saas_user_id',
        selectable: ['roles', 'old_usage', 'media_url'],
      });
      return reply.header('x-total-count', String(page.total)).send(page.items);
    },
  );

  app.patch('/api/v3/saas_users/activate', async (request) => setSaasUsersActive(store, request.body, true));
  app.patch('/api/v3/saas_users/deactivate', async (request) => setSaasUsersActive(store, request.body, false));
}
