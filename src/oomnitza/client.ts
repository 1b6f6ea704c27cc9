/**
 * The Oomnitza client: the users and SaaS users a sync writes, behind the `UserDestination` and
 * `SaasDestination` ports, plus a connection check and the users data model.
 *
 * One client holds one adaptive limiter: at most `concurrency` calls in flight (default 8); a 429
 * halves that, successes grow it back. Reads are retried; PATCHes too (they are idempotent); a
 * create is never repeated blindly (see create-once.ts).
 *
 * @example
 * const oomnitza = createOomnitzaClient({ baseUrl: 'https://acme.oomnitza.com', apiToken: process.env.OOMNITZA_API_TOKEN! });
 * const { userCount } = await oomnitza.testConnection();
 * const found = await oomnitza.findUsers('email', ['ada@example.com'], ['email', 'first_name']);
 */
import { isVendorError, VendorError } from '../http/vendor-error.ts';
import { OomnitzaConfigError, parseOomnitzaBaseUrl } from './base-url.ts';
import { maxValuesPerFilter } from './filter.ts';
import { assignUser, ensureApplication, findApplication, listAssignments } from './saas.ts';
import { createOomnitzaTransport } from './transport.ts';
import { readUserDataModel } from './user-fields.ts';
import { countUsers, findUsers, listUsers } from './users-read.ts';
import { createUser, updateUser } from './users-write.ts';

import type { RetryPolicy } from '../http/retry-policy.ts';
import type { RetryInfo } from '../http/send-json.ts';
import type { SaasDestination, UserDestination } from '../sync/ports.ts';
import type { OomnitzaFieldInfo, UserDataModel } from './user-fields.ts';
import type { PageOptions } from './users-read.ts';

export interface OomnitzaClientOptions {
  /** `https://<instance>.oomnitza.com`; a pasted path or trailing slash is dropped. */
  readonly baseUrl: URL | string;
  /** Sent as `Authorization2`; never logged. */
  readonly apiToken: string;
  /** Allows `http` for a loopback host (an emulator); refused for any other host. */
  readonly allowInsecureHttp?: boolean;
  /** Most calls in flight; default 8. */
  readonly concurrency?: number;
  /**
   * Users per page when listing; default 1000. Oomnitza documents no maximum; a server that caps
   * lower is followed, so a large value costs nothing and saves requests where it is honoured.
   */
  readonly pageSize?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Per attempt; default 30 s. */
  readonly timeoutMs?: number;
  /** POSTs of one create in all, with a lookup between them; default 3. */
  readonly maxCreateAttempts?: number;
  readonly connectorSource?: string;
  /** Test hooks: a replacement fetch, a fast sleep, a retry observer. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onRetry?: (info: RetryInfo) => void;
  readonly onConcurrencyChange?: (limit: number, reason: 'rate_limited' | 'recovered') => void;
}

export interface OomnitzaClient extends UserDestination, SaasDestination {
  readonly baseUrl: URL;
  /** Users per listing page: the configured size, or less once the server is seen to cap it. */
  readonly listPageSize: number;
  /** About how many values one `findUsers` request carries (each may go out twice: as given and lower-cased). */
  readonly findBatchSize: number;
  findApplication(name: string, options?: { readonly signal?: AbortSignal }): Promise<{ readonly id: string } | null>;
  /** The current concurrency limit (drops on 429, recovers after successes). */
  readonly concurrencyLimit: number;
  /** Checks the URL and token with one small read; the number of users on success. */
  testConnection(options?: { readonly signal?: AbortSignal }): Promise<{ readonly userCount: number }>;
  /** The users data model of the instance, or why there is none (see user-fields.ts); read once per client. */
  readUserDataModel(options?: { readonly signal?: AbortSignal }): Promise<UserDataModel>;
  /** The users fields of the instance, or null when it gives no data model. */
  listUserFields(options?: { readonly signal?: AbortSignal }): Promise<readonly OomnitzaFieldInfo[] | null>;
}

export function createOomnitzaClient(options: OomnitzaClientOptions): OomnitzaClient {
  const baseUrl = parseOomnitzaBaseUrl(options.baseUrl, { allowInsecureHttp: options.allowInsecureHttp ?? false });
  if (typeof options.apiToken !== 'string' || options.apiToken.trim() === '') {
    throw new OomnitzaConfigError(
      'destination.apiToken',
      'destination.apiToken is empty; create a token in Oomnitza under Configuration > Security > API tokens and set it (e.g. apiToken: ${OOMNITZA_API_TOKEN})',
    );
  }
  const concurrency = wholeNumber('concurrency', options.concurrency ?? 8, 1, 64);
  let pageSize = wholeNumber('pageSize', options.pageSize ?? 1000, 1, 10_000);
  const transport = createOomnitzaTransport({
    baseUrl,
    apiToken: options.apiToken.trim(),
    concurrency,
    ...pick(options, ['retry', 'timeoutMs', 'connectorSource', 'fetch', 'sleep', 'onRetry', 'onConcurrencyChange']),
  });
  const paging = (signal: AbortSignal | undefined): PageOptions => ({
    pageSize,
    signal,
    onPageSizeCapped(served) {
      pageSize = served;
    },
  });

  let dataModel: Promise<UserDataModel> | null = null;
  function readModel(signal: AbortSignal | undefined): Promise<UserDataModel> {
    // The data model does not change during a run; the pre-flight check and the planner share one read.
    const read = dataModel ?? readUserDataModel(transport, { signal });
    // A failed read is not kept (the next caller asks again), unless the instance did not answer
    // through every retry: asking again would only wait as long once more before the run says so.
    dataModel = read;
    read.catch((error: unknown) => {
      if (dataModel === read && !isVendorError(error, 'network', 'timeout')) dataModel = null;
    });
    return read;
  }
  return {
    baseUrl,
    get concurrencyLimit() {
      return transport.limiter.limit;
    },
    get listPageSize() {
      return pageSize;
    },
    findBatchSize: Math.floor(maxValuesPerFilter / 2),
    countUsers: (o) => countUsers(transport, { signal: o?.signal }),
    listUsers: (fields, o) => listUsers(transport, fields, paging(o?.signal)),
    findUsers: (field, values, fields, o) => findUsers(transport, field, values, fields, paging(o?.signal)),
    createUser: (fields, o) =>
      createUser(transport, fields, {
        ...paging(o?.signal),
        ...(options.maxCreateAttempts === undefined ? {} : { maxCreateAttempts: options.maxCreateAttempts }),
      }),
    updateUser: (id, patch, o) => updateUser(transport, id, patch, { signal: o?.signal }),
    ensureApplication: (name, o) => ensureApplication(transport, name, { signal: o?.signal }),
    async findApplication(name, o) {
      const id = await findApplication(transport, name, { signal: o?.signal });
      return id === null ? null : { id };
    },
    listAssignments: (applicationId, o) => listAssignments(transport, applicationId, paging(o?.signal)),
    assignUser: (applicationId, userId, roles, o) => assignUser(transport, applicationId, userId, roles, { signal: o?.signal }),
    async testConnection(o) {
      try {
        return { userCount: await countUsers(transport, { signal: o?.signal }) };
      } catch (error) {
        throw explainConnectionError(error);
      }
    },
    readUserDataModel: (o) => readModel(o?.signal),
    async listUserFields(o) {
      const model = await readModel(o?.signal);
      return model.available ? model.fields : null;
    },
  };
}

/** Adds the likely fix to what a connection check meets first: a bad token or a wrong URL. */
function explainConnectionError(error: unknown): unknown {
  if (!(error instanceof VendorError)) return error;
  let hint: string | null = null;
  if (error.status === 401 || error.status === 403)
    hint =
      'check destination.apiToken (Oomnitza: Configuration > Security > API tokens; the token acts as its user, who needs rights on users)';
  else if (error.status === 404 || error.kind === 'html')
    hint = 'check destination.url: it should be the instance address, https://<instance>.oomnitza.com';
  else if (error.kind === 'network' || error.kind === 'timeout') hint = 'check destination.url and that this machine can reach it';
  if (hint === null) return error;
  return error.withMessage(`${error.message}; ${hint}`);
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new OomnitzaConfigError(name, `${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): { [P in K]?: Exclude<T[P], undefined> } {
  const out: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key] as Exclude<T[K], undefined>;
  return out;
}
