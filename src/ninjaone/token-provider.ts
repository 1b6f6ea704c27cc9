/**
 * Hands out NinjaOne access tokens: cached, refreshed shortly before they expire, one grant at a
 * time however many callers ask at once, and thrown away after a 401.
 *
 * Single flight matters because NinjaOne rotates refresh tokens: two refreshes racing with the same
 * refresh token leave the loser holding a spent token and an `invalid_grant`. Within one process
 * this provider serialises them; across processes the credential store must hold a lock (this is
 * not a distributed lock).
 *
 * For the refresh-token grant, `onRotate` receives every refresh result and is awaited before the
 * new access token is handed to anyone, so the rotated refresh token is stored before it can be
 * needed. If `onRotate` throws, the access token is not handed out and the error reaches the caller;
 * the provider still keeps the new refresh token in memory (the old one is spent) and tries again
 * with it on the next call.
 *
 * @example
 * const tokens = createTokenProvider({
 *   origin, clientId, clientSecret,
 *   grant: 'refresh_token', refreshToken: stored,
 *   onRotate: async (next) => { await vault.saveRefreshToken(credentialId, next.refreshToken); },
 * });
 * const accessToken = await tokens.getAccessToken();
 */
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

interface ProviderCommon extends Omit<NinjaOneOAuthClient, 'signal'> {
  /** Refresh this long before expiry (default 60 s, at most half the token's lifetime). */
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

const defaultMarginMs = 60_000;

interface Cached {
  readonly accessToken: string;
  /** Epoch ms after which the token is refreshed rather than handed out. */
  readonly refreshAt: number;
}

/**
 * @example
 * const tokens = createTokenProvider({ origin, clientId, clientSecret, grant: 'client_credentials', scopes: 'monitoring' });
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? defaultMarginMs;
  let cached: Cached | null = options.initial === undefined ? null : toCached(options.initial, now());
  let inflight: Promise<Cached> | null = null;
  let refreshToken = options.grant === 'refresh_token' ? options.refreshToken : null;
  // A refresh often omits `scope`; the last scope NinjaOne did state stays the best answer.
  let lastScope: string | null = options.initial?.scope ?? null;

  function toCached(token: { readonly accessToken: string; readonly expiresAt: Date }, issuedAt: number): Cached {
    const expiresAt = token.expiresAt.getTime();
    const lifetime = Math.max(0, expiresAt - issuedAt);
    return { accessToken: token.accessToken, refreshAt: expiresAt - Math.min(margin, lifetime / 2) };
  }

  async function obtain(): Promise<Cached> {
    const issuedAt = now();
    // The grant runs without any one caller's signal (options has none): other callers share it.
    let token: AccessToken;
    if (options.grant === 'client_credentials') {
      token = await requestClientCredentialsToken(options);
    } else {
      const refreshed = await refreshAccessToken({ ...options, refreshToken: refreshToken ?? options.refreshToken });
      // The old refresh token is spent from here on, whatever happens to the store.
      refreshToken = refreshed.refreshToken;
      await options.onRotate(refreshed);
      token = refreshed;
    }
    cached = toCached(token, issuedAt);
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
      if (cached !== null && (accessToken === undefined || cached.accessToken === accessToken)) cached = null;
    },
    scope() {
      return lastScope;
    },
  };
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
