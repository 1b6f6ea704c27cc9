/**
 * People, for admins: change a role, disable or enable, reset a password (listing and adding are in tokens.ts).
 * Contracts in `src/contracts/people.ts`; the rules (the last admin, sessions ended on a reset) in
 * `src/accounts/users.ts`.
 */
import { changeAppUserRole, getAppUser, resetAppUserPassword, setAppUserDisabled } from '../../accounts/users.ts';
import { peopleContracts } from '../../contracts/people.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { accountErrorToApi } from './session.ts';

import type { RouteKit } from '../route-kit.ts';

export function registerPeopleRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, now } = context;

  defineRoute(app, registry, authorize, {
    ...peopleContracts.update,
    access: 'admin',
    handler: async ({ params, body, principal }) => {
      if (body.role === undefined && body.disabled === undefined)
        throw new ApiError(400, 'validation_failed', 'nothing to change: send "role", "disabled" or both', {
          fields: [{ path: 'role', message: 'send a role or "disabled"' }],
        });
      const actorId = principal?.kind === 'session' ? principal.user.id : null;
      let person = await getAppUser(db, params.id);
      if (body.role !== undefined) person = await changeAppUserRole(db, params.id, body.role).catch(accountErrorToApi);
      if (body.disabled !== undefined)
        person = await setAppUserDisabled(db, params.id, body.disabled, actorId, now()).catch(accountErrorToApi);
      if (!person) throw new ApiError(404, 'not_found', `no person with id ${params.id}`);
      return person;
    },
  });

  defineRoute(app, registry, authorize, {
    ...peopleContracts.resetPassword,
    access: 'admin',
    handler: async ({ params, body }) => resetAppUserPassword(db, params.id, body.password).catch(accountErrorToApi),
  });
}
