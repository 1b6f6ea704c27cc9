/**
 * Hands out NinjaOne access tokens: cached, renewed shortly before they expire, one renewal at a
 * time however many callers ask at once, and renewed after a 401.
 *
 * Single flight matters because NinjaOne rotates refresh tokens: two refreshes racing with the same
 * refresh token leave the loser holding a spent token and an `invalid_grant`. Within one provider
 * renewals are serialised here; where tokens are shared by several providers (a stored credential
 * used by several workers), the renewal itself must hold the store's lock — the provider takes it
 * as a hook (`createSingleFlightProvider(renew)`), this is not a distributed lock.
 *
 * Two providers build on the one engine:
 * - `createTokenProvider`: a grant from options, tokens kept in memory. For the refresh-token grant,
 *   `onRotate` receives every refresh result and is awaited before the new access token is handed
 *   to anyone, so the rotated refresh token is stored before it can be needed. If `onRotate` throws,
 *   the access token is not handed out and the error reaches the caller; the provider still keeps
 *   the new refresh token in memory (the old one is spent) and tries again with it on the next call.
 * - `createStoredTokenProvider` (`src/credentials/tokens.ts`): tokens in a credential's row, the
 *   renewal under the row's lock.
 *
 * Every grant is reported to the listener set with `observeTokenRefreshes` (the server counts them
 * for `/metrics`), as `src/http/observe.ts` does for vendor calls.
 *
 * @example
 * const tokens = createTokenProvider({
 *   origin, clientId, clientSecret,
 *   grant: 'refresh_token', refreshToken: stored,
 *   onRotate: async (next) => { await vault.saveRefreshToken(credentialId, next.refreshToken); },
 * });
 * const accessToken = await tokens.getAccessToken();
 */
import { NinjaOneAuthError } from './errors.ts';
import { refreshAccessToken, requestClientCredentialsToken } from './oauth.ts';

import type { AccessToken, NinjaOneOAuthClient, RefreshedTokens } from './oauth.ts';

export interface TokenProvider {
  /** A current access token; obtains a new one when there is none or it is about to expire. */
  getAccessToken(options?: { readonly signal?: AbortSignal }): Promise<string>;
  /**
   * Forgets the cached access token (NinjaOne answered 401). Pass the token that was refused: a
   * late 401 for an old token then leaves a newer one alone.
   */
  invalidate(accessToken?: string): void;
  /** The scopes granted with the current token, space-separated, when known (for a connection test). */
  scope?(): string | null;
}

/** Renew this long before expiry (at most half the token's lifetime): the one margin for every provider. */
export const refreshMarginMs = 60_000;

/** A token as a renewal hands it over. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresAt: Date;
  /** When it was issued, for a token read from a store; a grant's token counts from when the renewal began. */
  readonly issuedAt?: Date;
  readonly scope?: string | null;
}

/** What the provider tells a renewal. */
export interface Renewal {
  /** The token NinjaOne refused (a 401) when that is why the provider renews, else null. */
  readonly refused: string | null;
  /** Whether a token (e.g. one found in a store) is still fresh by the provider's margin. */
  isFresh(token: IssuedToken): boolean;
}

/**
 * Gets a token when the provider has none it may hand out. A renewal over shared storage takes the
 * store's lock, hands back the stored token when it is fresh and not the refused one (another
 * process renewed already), and otherwise makes a grant and stores its result before returning.
 */
export type RenewToken = (renewal: Renewal) => Promise<IssuedToken>;

export interface SingleFlightOptions {
  /** Clock in epoch ms (tests). */
  readonly now?: () => number;
  /** Overrides `refreshMarginMs` (tests). */
  readonly refreshMarginMs?: number;
  /** A token obtained earlier (e.g. kept in the vault), used until it is due for refresh. */
  readonly initial?: IssuedToken;
}

/** Whether a grant succeeded, and if not whether NinjaOne refused the grant itself. */
export type TokenRefreshResult = 'ok' | 'invalid_grant' | 'error';

let refreshListener: ((result: TokenRefreshResult) => void) | null = null;

/**
 * One process-wide listener for grants (the server counts them for `/metrics`); setting another
 * replaces it.
 *
 * @example observeTokenRefreshes((result) => countTokenRefresh(result));
 */
export function observeTokenRefreshes(next: ((result: TokenRefreshResult) => void) | null): void {
  refreshListener = next;
}

/**
 * Makes one grant at NinjaOne's token endpoint and reports how it went to the refresh listener:
 * every provider's grants go through here.
 *
 * @example const token = await reportRefresh(() => requestClientCredentialsToken(client));
 */
export async function reportRefresh<T>(grant: () => Promise<T>): Promise<T> {
  let result: TokenRefreshResult | null = 'ok';
  try {
    return await grant();
  } catch (error) {
    // Faults that are not NinjaOne's answer to the grant (a network fault) are not counted.
    result = error instanceof NinjaOneAuthError ? (error.needsReauthorization ? 'invalid_grant' : 'error') : null;
    throw error;
  } finally {
    if (result !== null && refreshListener !== null) {
      try {
        refreshListener(result);
      } catch {
        // A metrics listener must never break a renewal.
      }
    }
  }
}

interface Cached {
  readonly accessToken: string;
  /** Epoch ms after which the token is renewed rather than handed out. */
  readonly refreshAt: number;
}

/**
 * The engine: caches what `renew` returns, renews when the token is due or was refused, and lets
 * concurrent callers share one renewal.
 *
 * @example
 * const tokens = createSingleFlightProvider(async ({ refused, isFresh }) => grantOrStored(refused, isFresh));
 */
export function createSingleFlightProvider(renew: RenewToken, options: SingleFlightOptions = {}): TokenProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? refreshMarginMs;
  let cached: Cached | null = options.initial === undefined ? null : toCached(options.initial, now());
  let inflight: Promise<Cached> | null = null;
  /** The last token a 401 refused, until a renewal has heard of it. */
  let refused: string | null = null;
  // A refresh often omits `scope`; the last scope NinjaOne did state stays the best answer.
  let lastScope: string | null = options.initial?.scope ?? null;

  function refreshAt(token: IssuedToken, issuedAt: number): number {
    const expiresAt = token.expiresAt.getTime();
    const lifetime = Math.max(0, expiresAt - (token.issuedAt?.getTime() ?? issuedAt));
    return expiresAt - Math.min(margin, lifetime / 2);
  }

  function toCached(token: IssuedToken, issuedAt: number): Cached {
    return { accessToken: token.accessToken, refreshAt: refreshAt(token, issuedAt) };
  }

  async function obtain(): Promise<Cached> {
    const startedAt = now();
    const renewal: Renewal = {
      refused,
      // A stored token of unknown age gets the whole margin.
      isFresh: (token) => now() < refreshAt(token, Number.NEGATIVE_INFINITY),
    };
    refused = null;
    // The renewal runs without any one caller's signal: other callers share it.
    const token = await renew(renewal);
    cached = toCached(token, startedAt);
    lastScope = token.scope ?? lastScope;
    return cached;
  }

  return {
    async getAccessToken(request = {}) {
      request.signal?.throwIfAborted();
      if (cached !== null && now() < cached.refreshAt) return cached.accessToken;
      inflight ??= obtain().finally(() => {
        inflight = null;
      });
      const token = await abortable(inflight, request.signal);
      return token.accessToken;
    },
    invalidate(accessToken) {
      if (cached === null || (accessToken !== undefined && cached.accessToken !== accessToken)) return;
      refused = cached.accessToken;
      cached = null;
    },
    scope() {
      return lastScope;
    },
  };
}

interface ProviderCommon extends Omit<NinjaOneOAuthClient, 'signal'> {
  /** Overrides `refreshMarginMs` (tests). */
  readonly refreshMarginMs?: number;
  /** A token obtained earlier (e.g. kept in the vault), used until it is due for refresh. */
  readonly initial?: { readonly accessToken: string; readonly expiresAt: Date; readonly scope?: string | null };
}

export type TokenProviderOptions = ProviderCommon &
  (
    | { readonly grant: 'client_credentials'; readonly scopes?: string | readonly string[] }
    | {
        readonly grant: 'refresh_token';
        readonly refreshToken: string;
        /** Store `tokens.refreshToken` here; awaited before the access token is used. */
        readonly onRotate: (tokens: RefreshedTokens) => Promise<void>;
      }
  );

/**
 * A provider whose tokens live in memory, from the grant in `options`.
 *
 * @example
 * const tokens = createTokenProvider({ origin, clientId, clientSecret, grant: 'client_credentials', scopes: 'monitoring' });
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  let refreshToken = options.grant === 'refresh_token' ? options.refreshToken : null;

  async function grant(): Promise<AccessToken> {
    if (options.grant === 'client_credentials') return reportRefresh(() => requestClientCredentialsToken(options));
    const refreshed = await reportRefresh(() => refreshAccessToken({ ...options, refreshToken: refreshToken ?? options.refreshToken }));
    // The old refresh token is spent from here on, whatever happens to the store.
    refreshToken = refreshed.refreshToken;
    await options.onRotate(refreshed);
    return refreshed;
  }

  return createSingleFlightProvider(grant, {
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.refreshMarginMs === undefined ? {} : { refreshMarginMs: options.refreshMarginMs }),
    ...(options.initial === undefined ? {} : { initial: options.initial }),
  });
}

/** Waits for `promise`, but gives up (without cancelling it) when `signal` aborts. */
async function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('The token request was aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
