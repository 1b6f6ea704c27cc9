/**
 * The emulated authorization server's memory: pending consents, authorization codes, access and
 * refresh tokens. Everything is opaque random strings with real expiry times; nothing survives a
 * restart (the real service's tokens would not survive a new tenant either).
 *
 * A "family" ties the tokens issued from one authorization code together, so that replaying a used
 * code revokes what it produced (RFC 6749 §4.1.2).
 *
 * @example
 * const store = createOAuthStore({ accessTokenTtlSeconds: 3600, codeTtlSeconds: 60, rotateRefreshTokens: true });
 * const code = store.issueCode({ clientId: 'demo-web', redirectUri, scopes: ['monitoring'], codeChallenge: null });
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface OAuthSettings {
  accessTokenTtlSeconds: number;
  codeTtlSeconds: number;
  rotateRefreshTokens: boolean;
}

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
}

export interface PendingConsent extends AuthorizationRequest {
  readonly id: string;
  readonly expiresAt: number;
}

export interface AuthorizationCode {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: string[];
  readonly codeChallenge: string | null;
  readonly expiresAt: number;
  readonly family: string;
  used: boolean;
}

export interface AccessToken {
  readonly clientId: string;
  readonly scopes: string[];
  expiresAt: number;
  /** False for client-credentials tokens, which act for no user. */
  readonly userContext: boolean;
  readonly family: string | null;
}

export interface RefreshToken {
  readonly clientId: string;
  readonly scopes: string[];
  readonly family: string;
  spent: boolean;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | null;
  scopes: string[];
}

const consentTtlMs = 10 * 60 * 1000;

export type OAuthStore = ReturnType<typeof createOAuthStore>;

export function createOAuthStore(settings: OAuthSettings) {
  const consents = new Map<string, PendingConsent>();
  const codes = new Map<string, AuthorizationCode>();
  const accessTokens = new Map<string, AccessToken>();
  const refreshTokens = new Map<string, RefreshToken>();
  const revokedFamilies = new Set<string>();

  /** Drops what has expired, so a long benchmark does not grow memory without bound. */
  function prune(now: number): void {
    for (const [id, consent] of consents) if (consent.expiresAt <= now) consents.delete(id);
    for (const [code, entry] of codes) if (entry.expiresAt + 60_000 <= now) codes.delete(code);
    for (const [token, entry] of accessTokens) if (entry.expiresAt + 60_000 <= now) accessTokens.delete(token);
  }
  let lastPrune = Date.now();
  function maybePrune(): void {
    const now = Date.now();
    if (now - lastPrune > 30_000) {
      lastPrune = now;
      prune(now);
    }
  }

  function issueAccessToken(clientId: string, scopes: string[], userContext: boolean, family: string | null): string {
    maybePrune();
    // Opaque, like NinjaOne's ("Xr6YAvcfxC_…"): not a JWT, nothing to decode.
    const token = randomBytes(33).toString('base64url');
    accessTokens.set(token, { clientId, scopes, userContext, family, expiresAt: Date.now() + settings.accessTokenTtlSeconds * 1000 });
    return token;
  }

  function issueRefreshToken(clientId: string, scopes: string[], family: string): string {
    // Shaped like the observed `<uuid>.<43 url-safe chars>`.
    const token = `${randomUUID()}.${randomBytes(32).toString('base64url')}`;
    refreshTokens.set(token, { clientId, scopes, family, spent: false });
    return token;
  }

  return {
    settings,

    startConsent(request: AuthorizationRequest): PendingConsent {
      maybePrune();
      const consent: PendingConsent = { ...request, id: randomBytes(18).toString('base64url'), expiresAt: Date.now() + consentTtlMs };
      consents.set(consent.id, consent);
      return consent;
    },

    /** Takes a pending consent out (single use); null when unknown or expired. */
    takeConsent(id: string): PendingConsent | null {
      const consent = consents.get(id);
      consents.delete(id);
      return consent && consent.expiresAt > Date.now() ? consent : null;
    },

    issueCode(request: AuthorizationRequest): string {
      maybePrune();
      const code = randomUUID();
      codes.set(code, {
        code,
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        codeChallenge: request.codeChallenge,
        expiresAt: Date.now() + settings.codeTtlSeconds * 1000,
        family: randomUUID(),
        used: false,
      });
      return code;
    },

    findCode(code: string): AuthorizationCode | null {
      return codes.get(code) ?? null;
    },

    /** Revokes every token issued from a code's family (the code was replayed). */
    revokeFamily(family: string): void {
      revokedFamilies.add(family);
      for (const [token, entry] of refreshTokens) if (entry.family === family) refreshTokens.delete(token);
    },

    /** Access token, plus a refresh token when asked; used by the code and refresh grants. */
    issueUserTokens(clientId: string, scopes: string[], accessScopes: string[], family: string, withRefresh: boolean): IssuedTokens {
      return {
        accessToken: issueAccessToken(clientId, accessScopes, true, family),
        refreshToken: withRefresh ? issueRefreshToken(clientId, scopes, family) : null,
        scopes: accessScopes,
      };
    },

    issueClientToken(clientId: string, scopes: string[]): IssuedTokens {
      return { accessToken: issueAccessToken(clientId, scopes, false, null), refreshToken: null, scopes };
    },

    findRefreshToken(token: string): RefreshToken | null {
      const entry = refreshTokens.get(token);
      return entry && !revokedFamilies.has(entry.family) ? entry : null;
    },

    /** The live access token behind a bearer string, or null when unknown, expired or revoked. */
    findAccessToken(token: string): AccessToken | null {
      const entry = accessTokens.get(token);
      if (!entry || entry.expiresAt <= Date.now()) return null;
      if (entry.family !== null && revokedFamilies.has(entry.family)) return null;
      return entry;
    },

    /** Makes every access token expired now (refresh tokens stay valid); returns how many were live. */
    expireAllAccessTokens(): number {
      const now = Date.now();
      let count = 0;
      for (const entry of accessTokens.values()) {
        if (entry.expiresAt > now) count++;
        entry.expiresAt = now;
      }
      return count;
    },
  };
}
