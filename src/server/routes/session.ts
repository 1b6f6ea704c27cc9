/**
 * First-run setup, sign-in and sign-out.
 *
 * - `GET /api/setup`: whether the one-time setup is still open (no users yet).
 * - `POST /api/setup`: creates the first admin and signs them in; refused once any user exists.
 * - `POST /api/session`: sign in (throttled per e-mail and per client address).
 * - `GET /api/session`: who is signed in, and the CSRF token a browser must send with writes.
 * - `DELETE /api/session`: sign out.
 */
import { createSession, deleteSession } from '../../accounts/sessions.ts';
import { clearLoginFailures, loginLockedFor, recordLoginFailure } from '../../accounts/throttle.ts';
import { AccountError, checkPassword, countAppUsers, createAppUser } from '../../accounts/users.ts';
import { sessionContracts } from '../../contracts/session.ts';
import { sessionCookie } from '../auth/authenticate.ts';
import { ApiError } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { RouteKit } from '../app.ts';

export function accountErrorToApi(error: unknown): never {
  if (error instanceof AccountError) {
    const field = error.code === 'weak_password' ? 'password' : 'email';
    throw new ApiError(error.code === 'email_taken' ? 409 : 400, error.code, error.message, {
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
      // Not a lock: two simultaneous setups could both pass this check, and the unique e-mail index
      // stops only same-address races. Setup is a one-person moment on a fresh install.
      if ((await countAppUsers(db)) > 0)
        throw new ApiError(409, 'setup_done', 'setup is done already; sign in, or ask an admin for an account');
      const user = await createAppUser(db, { email: body.email, name: body.name, role: 'admin', password: body.password }, now()).catch(
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
      const keys = [`email:${body.email.trim().toLowerCase()}`, `ip:${request.ip}`];
      for (const key of keys) {
        const wait = await loginLockedFor(db, key, now());
        if (wait > 0)
          throw new ApiError(429, 'too_many_attempts', `too many failed sign-ins; try again in ${Math.ceil(wait / 60_000)} minutes`);
      }
      const user = await checkPassword(db, body.email, body.password, now());
      if (!user) {
        for (const key of keys) await recordLoginFailure(db, key, now());
        throw new ApiError(401, 'invalid_login', 'the e-mail or the password is wrong');
      }
      await clearLoginFailures(db, keys[0]!);
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
