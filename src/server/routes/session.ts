/**
 * First-run setup, sign-in and sign-out.
 *
 * - `GET /api/setup`: whether the one-time setup is still open (no users yet).
 * - `POST /api/setup`: creates the first admin and signs them in; refused once any user exists.
 * - `POST /api/session`: sign in (throttled per account and client, per client, per account: see throttle.ts).
 * - `GET /api/session`: who is signed in, and the CSRF token a browser must send with writes.
 * - `DELETE /api/session`: sign out.
 */
import { createSession, deleteSession } from '../../accounts/sessions.ts';
import { loginSucceeded, loginThrottleKeys, takeLoginAttempts } from '../../accounts/throttle.ts';
import { AccountError, checkPassword, countAppUsers, createFirstAdmin } from '../../accounts/users.ts';
import { sessionContracts } from '../../contracts/session.ts';
import { sessionCookie } from '../auth/authenticate.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { RouteKit } from '../route-kit.ts';

export function accountErrorToApi(error: unknown): never {
  if (error instanceof AccountError && error.code === 'setup_done') throw new ApiError(409, error.code, error.message);
  if (error instanceof AccountError) {
    if (error.code === 'not_found') throw new ApiError(404, 'not_found', error.message);
    if (error.code === 'disabled') throw new ApiError(403, 'disabled', error.message);
    if (error.code === 'self') throw new ApiError(409, 'self', error.message);
    const field = error.code === 'weak_password' ? 'password' : error.code === 'last_admin' ? 'role' : 'email';
    const status = error.code === 'email_taken' || error.code === 'last_admin' ? 409 : 400;
    throw new ApiError(status, error.code, error.message, {
      fields: [{ path: field, message: error.message }],
    });
  }
  throw error;
}

export function registerSessionRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, now } = context;
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: context.config.secureCookies };

  defineRoute(app, registry, authorize, {
    ...sessionContracts.setupState,
    access: 'public',
    handler: async () => ({ setupRequired: (await countAppUsers(db)) === 0 }),
  });

  defineRoute(app, registry, authorize, {
    ...sessionContracts.setup,
    access: 'public',
    handler: async ({ body, reply }) => {
      // A cheap early answer; createFirstAdmin decides under a lock, so racing setups make one admin.
      if ((await countAppUsers(db)) > 0)
        throw new ApiError(409, 'setup_done', 'setup is done already; sign in, or ask an admin for an account');
      const user = await createFirstAdmin(db, { email: body.email, name: body.name, password: body.password }, now()).catch(
        accountErrorToApi,
      );
      const session = await createSession(db, user.id, now());
      void reply.setCookie(sessionCookie, session.id, { ...cookieOptions, expires: session.expiresAt });
      return { user, csrfToken: session.csrfToken, setupRequired: false, demo: context.demo ?? null, via: 'session' as const };
    },
  });

  defineRoute(app, registry, authorize, {
    ...sessionContracts.signIn,
    access: 'public',
    handler: async ({ body, request, reply }) => {
      // The slot is taken before the password is checked: parallel guesses cannot all slip through.
      const keys = loginThrottleKeys(body.email, request.ip);
      const wait = await takeLoginAttempts(db, keys, now());
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        void reply.header('retry-after', String(seconds));
        throw new ApiError(
          429,
          'too_many_attempts',
          `too many sign-in attempts; try again in ${seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}`,
        );
      }
      const user = await checkPassword(db, body.email, body.password, now()).catch(accountErrorToApi);
      if (!user) throw new ApiError(401, 'invalid_login', 'the e-mail or the password is wrong');
      await loginSucceeded(db, keys);
      const session = await createSession(db, user.id, now());
      void reply.setCookie(sessionCookie, session.id, { ...cookieOptions, expires: session.expiresAt });
      return { user, csrfToken: session.csrfToken, setupRequired: false, demo: context.demo ?? null, via: 'session' as const };
    },
  });

  defineRoute(app, registry, authorize, {
    ...sessionContracts.get,
    access: 'public',
    handler: async ({ principal }) => ({
      user: principal?.kind === 'session' ? principal.user : null,
      csrfToken: principal?.kind === 'session' ? principal.csrfToken : null,
      setupRequired: (await countAppUsers(db)) === 0,
      demo: context.demo ?? null,
      via: principal?.kind ?? null,
    }),
  });

  defineRoute(app, registry, authorize, {
    ...sessionContracts.signOut,
    access: 'public',
    handler: async ({ request, reply }) => {
      const id = request.cookies[sessionCookie];
      if (id) await deleteSession(db, id);
      void reply.clearCookie(sessionCookie, { path: '/' });
      return undefined;
    },
  });
}
