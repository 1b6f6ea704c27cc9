/**
 * API tokens and app users, for admins: tokens are shown once at creation and stored hashed;
 * revoking one takes effect on the next request.
 */
import { createApiToken, listApiTokens, revokeApiToken } from '../../accounts/api-tokens.ts';
import { createAppUser, listAppUsers } from '../../accounts/users.ts';
import { accessContracts } from '../../contracts/tokens.ts';
import { notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { accountErrorToApi } from './session.ts';

import type { RouteKit } from '../route-kit.ts';

export function registerTokenRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, now } = context;

  defineRoute(app, registry, authorize, {
    ...accessContracts.listTokens,
    access: 'admin',
    handler: async () => ({ tokens: await listApiTokens(db) }),
  });

  defineRoute(app, registry, authorize, {
    ...accessContracts.createToken,
    access: 'admin',
    handler: async ({ body, principal }) => {
      // A token made with a token is its maker's: disabling (or demoting) that person reaches it too.
      const createdBy = principal?.kind === 'session' ? principal.user.id : principal?.kind === 'token' ? principal.token.createdBy : null;
      return createApiToken(db, { name: body.name, role: body.role, createdBy }, now());
    },
  });

  defineRoute(app, registry, authorize, {
    ...accessContracts.revokeToken,
    access: 'admin',
    handler: async ({ params }) => {
      if (!(await revokeApiToken(db, params.id, now()))) throw notFound('live API token', params.id);
      return undefined;
    },
  });

  defineRoute(app, registry, authorize, {
    ...accessContracts.listUsers,
    access: 'admin',
    handler: async () => ({ users: await listAppUsers(db) }),
  });

  defineRoute(app, registry, authorize, {
    ...accessContracts.createUser,
    access: 'admin',
    handler: async ({ body }) => createAppUser(db, body, now()).catch(accountErrorToApi),
  });
}
