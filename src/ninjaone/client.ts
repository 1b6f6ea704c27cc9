/**
 * The NinjaOne API v2 client the sync reads from: users with their roles, organisations and devices,
 * user roles, and a connection test, in NinjaOne's own shapes; `createNinjaOneSource` (`source.ts`)
 * makes it the run's `UserSource`.
 *
 * - Every call goes through `sendJson` (via `sendNinjaOne`), which owns timeouts and retries (429
 *   with `Retry-After`, 5xx, network faults, HTML or malformed answers); this file adds none.
 * - A 401 means the access token died early (revoked, or NinjaOne restarted): the token is
 *   invalidated and the call made once more with a new one. A second 401 is reported.
 * - `/v2/organizations` and `/v2/devices` page by `pageSize` and `after` (the last id of the
 *   previous page) and answer bare arrays with no cursor or total, so paging stops on an empty or
 *   short page, and a page that does not move past the previous one stops the run with an error
 *   instead of looping (a server ignoring `after`). `/v2/users` and `/v2/user/roles` are unpaged.
 *
 * @example
 * const tokens = createTokenProvider({ origin, clientId, clientSecret, grant: 'client_credentials' });
 * const ninja = createNinjaOneClient({ origin, tokens });
 * const users = await ninja.listUsers({ userType: 'END_USER' });
 */
import { isVendorError } from '../http/vendor-error.ts';
import { readEntries } from './entries.ts';
import { NinjaOneResponseError } from './errors.ts';
import { sendNinjaOne } from './send.ts';

import type { AdaptiveLimiter } from '../http/limiter.ts';
import type { RetryPolicy } from '../http/retry-policy.ts';
import type { RetryInfo } from '../http/send-json.ts';
import type { TokenProvider } from './token-provider.ts';
import type { NinjaOneDevice, NinjaOneOrganization, NinjaOneUser, NinjaOneUserRole, NinjaOneUserType } from './types.ts';

export interface NinjaOneClientOptions {
  /** The origin from `parseNinjaOneUrl`. */
  readonly origin: URL;
  readonly tokens: TokenProvider;
  readonly retry?: Partial<RetryPolicy>;
  /** Per attempt; default 30 s (the HTTP layer's). */
  readonly timeoutMs?: number;
  /** Entries asked for per page of organisations and devices; default 1000. */
  readonly pageSize?: number;
  readonly limiter?: AdaptiveLimiter;
  /** Told about every retry (for logs and progress); never given a secret. */
  readonly onRetry?: (info: RetryInfo) => void;
}

export interface ConnectionTestResult {
  /** Users `GET /v2/users` returned. */
  readonly userCount: number;
  /** Scopes granted with the token, when NinjaOne said. */
  readonly scopes?: readonly string[];
}

type Signal = { readonly signal?: AbortSignal };

export interface NinjaOneClient {
  listUsers(options?: { readonly userType?: NinjaOneUserType } & Signal): Promise<readonly NinjaOneUser[]>;
  listOrganizations(options?: Signal): Promise<readonly NinjaOneOrganization[]>;
  listDevices(options?: Signal): Promise<readonly NinjaOneDevice[]>;
  /** User roles (`/v2/user/roles`) with their members; not available on NinjaOne's fed instance. */
  listRoles(options?: { readonly roleType?: NinjaOneUserType } & Signal): Promise<readonly NinjaOneUserRole[]>;
  /** Gets a token and lists users once: proves URL, credentials and scope in one step. */
  testConnection(options?: Signal): Promise<ConnectionTestResult>;
}

const defaultPageSize = 1000;

/**
 * @example
 * const ninja = createNinjaOneClient({ origin: new URL('https://eu.ninjarmm.com'), tokens, retry: { maxAttempts: 4 } });
 */
export function createNinjaOneClient(options: NinjaOneClientOptions): NinjaOneClient {
  const { origin, tokens } = options;
  const pageSize = options.pageSize ?? defaultPageSize;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);

  /** One authorised GET; a 401 gets one more try with a fresh token. */
  async function get(path: string, query: Record<string, string>, signal: AbortSignal | undefined): Promise<unknown> {
    const url = new URL(path, origin);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    for (let attempt = 1; ; attempt++) {
      const accessToken = await tokens.getAccessToken(signal === undefined ? {} : { signal });
      try {
        const response = await sendNinjaOne(
          {
            method: 'GET',
            url,
            headers: { authorization: `Bearer ${accessToken}` },
            ...(signal === undefined ? {} : { signal }),
            ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          },
          {
            ...(options.retry === undefined ? {} : { retry: options.retry }),
            ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
            ...(options.onRetry === undefined ? {} : { onRetry: options.onRetry }),
          },
        );
        return response.body;
      } catch (error) {
        if (attempt === 1 && isVendorError(error) && error.status === 401) {
          tokens.invalidate(accessToken);
          continue;
        }
        throw error;
      }
    }
  }

  /** Every entry of an id-cursor list, page by page. */
  async function listAll<T extends { readonly id: number }>(path: string, signal: AbortSignal | undefined): Promise<T[]> {
    const all: T[] = [];
    let after: number | undefined;
    for (let page = 1; ; page++) {
      const query: Record<string, string> = { pageSize: String(pageSize) };
      if (after !== undefined) query['after'] = String(after);
      const body = await get(path, query, signal);
      const entries = readEntries<T>(body, { host: origin.host, path, page, offset: all.length });
      if (entries.length === 0) return all;
      // The largest id, not the last one: a page out of order must not send us back.
      const lastId = entries.reduce((max, entry) => Math.max(max, entry.id), Number.NEGATIVE_INFINITY);
      if (after !== undefined && lastId <= after) {
        throw new NinjaOneResponseError(
          `NinjaOne GET ${origin.host}${path} answered page ${page} with ids no greater than after=${after}: it repeats a page or ignores "after". ` +
            `Stopped after ${all.length} entries rather than loop; the list is incomplete.`,
          { host: origin.host, path },
        );
      }
      const previous = after;
      // Entries at or below `after` were on an earlier page (an overlapping answer): not twice.
      all.push(...(previous === undefined ? entries : entries.filter((entry) => entry.id > previous)));
      if (entries.length < pageSize) return all;
      after = lastId;
    }
  }

  return {
    async listUsers(request = {}) {
      const query: Record<string, string> = { includeRoles: 'true' };
      if (request.userType !== undefined) query['userType'] = request.userType;
      const body = await get('/v2/users', query, request.signal);
      return readEntries<NinjaOneUser>(body, { host: origin.host, path: '/v2/users' });
    },
    async listOrganizations(request = {}) {
      return listAll<NinjaOneOrganization>('/v2/organizations', request.signal);
    },
    async listDevices(request = {}) {
      return listAll<NinjaOneDevice>('/v2/devices', request.signal);
    },
    async listRoles(request = {}) {
      const query: Record<string, string> = {};
      if (request.roleType !== undefined) query['roleType'] = request.roleType;
      const body = await get('/v2/user/roles', query, request.signal);
      return readEntries<NinjaOneUserRole>(body, { host: origin.host, path: '/v2/user/roles' });
    },
    async testConnection(request = {}) {
      const body = await get('/v2/users', {}, request.signal);
      const users = readEntries<NinjaOneUser>(body, { host: origin.host, path: '/v2/users' });
      const scope = tokens.scope?.() ?? null;
      return { userCount: users.length, ...(scope === null ? {} : { scopes: scope.split(' ').filter((entry) => entry !== '') }) };
    },
  };
}
