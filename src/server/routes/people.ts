/**
 * People, for admins: change a role, reset a password (listing and adding are in tokens.ts).
 * Contracts in `src/contracts/people.ts`; the rules (the last admin, sessions ended on a reset) in
 * `src/accounts/users.ts`.
 */
import { changeAppUserRole, resetAppUserPassword } from '../../accounts/users.ts';
import { peopleContracts } from '../../contracts/people.ts';
import { defineRoute } from '../route.ts';
import { accountErrorToApi } from './session.ts';

import type { RouteKit } from '../route-kit.ts';

export function registerPeopleRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db } = context;

  defineRoute(app, registry, authorize, {
    ...peopleContracts.update,
    access: 'admin',
    handler: async ({ params, body }) => changeAppUserRole(db, params.id, body.role).catch(accountErrorToApi),
  });

  defineRoute(app, registry, authorize, {
    ...peopleContracts.resetPassword,
    access: 'admin',
    handler: async ({ params, body }) => resetAppUserPassword(db, params.id, body.password).catch(accountErrorToApi),
  });
}
