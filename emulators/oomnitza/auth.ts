/**
 * Authentication of the vendor API: `Authorization2: <token>` (Oomnitza's own header) or HTTP Basic,
 * as the spec's security schemes say. No credentials → 401; a token that was revoked → 403
 * (reference §2.7: "401/403 for bad or missing Authorization2" [INFERRED split]).
 *
 * @example
 * const actor = authenticate(store, request.headers, { username: 'admin', password: 'pw' }); // 'api-user'
 */
import { timingSafeEqual } from 'node:crypto';

import { OomnitzaApiError } from './errors.ts';
import { opaqueId } from './ids.ts';

import type { OomnitzaStore } from './store.ts';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Returns the username the request acts as (written into created_by / changed_by), or throws 401/403. */
export function authenticate(store: OomnitzaStore, headers: Headers, basic: BasicCredentials | undefined): string {
  const token = header(headers, 'authorization2');
  if (token !== undefined) {
    const known = store.tokens.get(token.trim());
    if (!known) throw unauthorized('the Authorization2 token is not valid');
    if (known.revoked)
      throw new OomnitzaApiError(
        403,
        'forbidden',
        'the Authorization2 token has been revoked; create a new one under Configuration > Security > API tokens',
      );
    return known.username;
  }
  const authorization = header(headers, 'authorization');
  if (authorization !== undefined && /^basic\s+/i.test(authorization)) {
    const decoded = Buffer.from(authorization.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    if (basic && same(username, basic.username) && same(password, basic.password)) return basic.username;
    throw unauthorized('the HTTP Basic username or password is wrong');
  }
  throw unauthorized('send the API token in the Authorization2 header (or use HTTP Basic)');
}

/**
 * The key the knobs count a request under for rate limits: a short hash of the token (or the Basic
 * username), so the request log never holds the secret itself.
 */
export function rateLimitKey(headers: Headers): string | null {
  const token = header(headers, 'authorization2');
  if (token !== undefined) return `token:${opaqueId(token.trim(), 12)}`;
  const authorization = header(headers, 'authorization');
  if (authorization !== undefined && /^basic\s+/i.test(authorization)) {
    const decoded = Buffer.from(authorization.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    return `basic:${decoded.split(':')[0] ?? ''}`;
  }
  return null;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unauthorized(message: string): OomnitzaApiError {
  return new OomnitzaApiError(401, 'unauthorized', message);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
