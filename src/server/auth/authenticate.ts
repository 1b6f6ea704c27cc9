/**
 * Resolves the caller of a request and enforces a route's access: a session cookie (with a CSRF
 * token on every write) or an `Authorization: Bearer nsk_…` API token. Viewers read; admins write.
 *
 * @example
 * const authorize = createAuthorizer({ db, clock });
 * const principal = await authorize(request, 'admin'); // throws ApiError 401/403
 */
import { resolveApiToken } from '../../accounts/api-tokens.ts';
import { resolveSession } from '../../accounts/sessions.ts';
import { ApiError } from '../errors.ts';

import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { AppDb } from '../../db/app-database.ts';
import type { Access } from '../route.ts';
import type { Principal } from './principal.ts';

export const sessionCookie = 'ns_session';
export const csrfHeader = 'x-csrf-token';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const resolved = new WeakMap<FastifyRequest, Principal | null>();

export interface AuthorizerDeps {
  readonly db: AppDb;
  readonly now: () => Date;
}

export function createAuthorizer(deps: AuthorizerDeps) {
  async function identify(request: FastifyRequest): Promise<Principal | null> {
    if (resolved.has(request)) return resolved.get(request) ?? null;
    let principal: Principal | null = null;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new ApiError(401, 'unauthenticated', 'the Authorization header must be "Bearer <API token>"');
      const token = await resolveApiToken(deps.db, match[1]!, deps.now());
      if (!token)
        throw new ApiError(401, 'unauthenticated', 'the API token is unknown or revoked; create a new one under Settings → API tokens');
      principal = { kind: 'token', role: token.role, token };
    } else {
      const sessionId = request.cookies[sessionCookie];
      if (sessionId) {
        const session = await resolveSession(deps.db, sessionId, deps.now());
        if (session)
          principal = {
            kind: 'session',
            role: session.user.role,
            user: session.user,
            csrfToken: session.csrfToken,
            sessionIdHash: session.idHash,
          };
      }
    }
    resolved.set(request, principal);
    return principal;
  }

  return async function authorize(request: FastifyRequest, access: Access): Promise<Principal | null> {
    const principal = await identify(request);
    if (access === 'public') return principal;
    if (!principal) throw new ApiError(401, 'unauthenticated', 'sign in, or send an API token as "Authorization: Bearer <token>"');
    if (principal.kind === 'session' && !safeMethods.has(request.method)) {
      // Cookies ride along on cross-site requests; the token in a header does not.
      if (request.headers[csrfHeader] !== principal.csrfToken) {
        throw new ApiError(403, 'csrf_failed', `a change from a browser session needs the ${csrfHeader} header from GET /api/session`);
      }
    }
    if (access === 'admin' && principal.role !== 'admin')
      throw new ApiError(403, 'forbidden', 'this needs the admin role; viewers can only read');
    return principal;
  };
}

export type Authorizer = ReturnType<typeof createAuthorizer>;
