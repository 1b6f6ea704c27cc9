/**
 * NinjaOne's OAuth 2.0 token grants (`POST <origin>/ws/oauth/token`) and the pieces of the
 * authorization-code sign-in: the authorize URL, a PKCE S256 pair and a `state`.
 *
 * The grants are form POSTs through the shared vendor HTTP layer (`src/http/`) rather than through
 * oauth4webapi's grant functions, for three reasons:
 * - oauth4webapi makes its own fetch, so the retry/timeout discipline of `sendJson` could only be
 *   had by writing a second retry loop around it. Through `sendJson`, a client-credentials request
 *   is retried on any transient fault, while a refresh or code exchange (single-use under
 *   rotation) is only retried when NinjaOne provably did nothing with it (429, connection refused).
 * - NinjaOne answers outside RFC 6749 where it matters most: an unknown client or wrong region is a
 *   404 `{"resultCode":"Client app not exist"}`, a spent refresh token has been seen as
 *   `{"error":"invalid_token"}`, and proxies answer with HTML. We classify every answer ourselves
 *   anyway, so oauth4webapi's response processing would add little but a second error type.
 * - The loopback emulator is plain http, which oauth4webapi only allows through a deprecated flag.
 * oauth4webapi still supplies the PKCE verifier/challenge and `state` (well-kept crypto helpers).
 *
 * Client authentication is `client_secret_post`, NinjaOne's documented way. A public (Native) client
 * omits the secret.
 *
 * @example
 * const tokens = await refreshAccessToken({ origin, clientId, clientSecret, refreshToken });
 * await vault.store(tokens.refreshToken); // before tokens.accessToken is used
 */
import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomState } from 'oauth4webapi';

import { isVendorError } from '../http/vendor-error.ts';
import { NinjaOneAuthError } from './errors.ts';
import { sendNinjaOne } from './send.ts';

import type { RetryPolicy } from '../http/retry-policy.ts';
import type { VendorError } from '../http/vendor-error.ts';
import type { NinjaOneAuthErrorKind } from './errors.ts';

/** How to reach the token endpoint and who is asking. */
export interface NinjaOneOAuthClient {
  /** The origin from `parseNinjaOneUrl`, e.g. `https://eu.ninjarmm.com`. */
  readonly origin: URL;
  readonly clientId: string;
  /** Absent for a public (Native platform) client. */
  readonly clientSecret?: string;
  /** Per attempt; default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly signal?: AbortSignal;
  /** Clock in epoch ms, for `expiresAt` (tests). */
  readonly now?: () => number;
}

/** An access token and when it stops working. */
export interface AccessToken {
  readonly accessToken: string;
  readonly expiresAt: Date;
  /** The granted scopes, space-separated; null when NinjaOne did not say (refreshes often don't). */
  readonly scope: string | null;
}

/** What a refresh gives back. Store `refreshToken` before using `accessToken`: the old one is spent. */
export interface RefreshedTokens extends AccessToken {
  /** The rotated refresh token, or the one sent when NinjaOne returned none (RFC 6749 §6). */
  readonly refreshToken: string;
  /** Whether NinjaOne issued a new refresh token. */
  readonly rotated: boolean;
}

/** What an authorization-code exchange gives back; no refresh token unless `offline_access` was granted. */
export interface ExchangedTokens extends AccessToken {
  readonly refreshToken: string | null;
}

/** The lifetime assumed when a token answer omits `expires_in` (every NinjaOne example says 3600). */
const defaultLifetimeSeconds = 3600;
const offlineAccess = 'offline_access';

/**
 * Client-credentials grant (API Services apps). Never sends `offline_access`: NinjaOne's EU
 * instance answers 400 to it, and this grant has no refresh token anyway. Without scopes NinjaOne
 * grants every scope enabled on the app.
 *
 * @example
 * const { accessToken, expiresAt } = await requestClientCredentialsToken({ origin, clientId, clientSecret, scopes: 'monitoring' });
 */
export async function requestClientCredentialsToken(
  client: NinjaOneOAuthClient & { readonly scopes?: string | readonly string[] },
): Promise<AccessToken> {
  const scopes = normaliseScopes(client.scopes ?? []).filter((scope) => scope !== offlineAccess);
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  // Minting another token is harmless, so every transient fault may be retried.
  const body = await postTokenForm(client, form, { grant: 'client_credentials', idempotent: true, scopes });
  return readAccessToken(client, body);
}

/**
 * Refresh-token grant. NinjaOne rotates refresh tokens: the one sent is spent once this succeeds,
 * so the caller must store the returned `refreshToken` before it uses the access token. `scope` is
 * not re-sent (NinjaOne keeps the original grant).
 *
 * A refresh that times out after NinjaOne processed it has spent the old token without us seeing the
 * new one; it is reported as `transient`, and the next attempt then meets `invalid_grant`.
 *
 * @example
 * const tokens = await refreshAccessToken({ origin, clientId, clientSecret, refreshToken: stored });
 */
export async function refreshAccessToken(client: NinjaOneOAuthClient & { readonly refreshToken: string }): Promise<RefreshedTokens> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: client.refreshToken });
  const body = await postTokenForm(client, form, { grant: 'refresh_token', idempotent: false, secrets: [client.refreshToken] });
  const token = readAccessToken(client, body);
  const issued = typeof body['refresh_token'] === 'string' && body['refresh_token'] !== '' ? body['refresh_token'] : null;
  return { ...token, refreshToken: issued ?? client.refreshToken, rotated: issued !== null && issued !== client.refreshToken };
}

/**
 * Authorization-code grant with the PKCE verifier and the same `redirectUri` the authorize URL named.
 *
 * @example
 * const tokens = await exchangeAuthorizationCode({ origin, clientId, clientSecret, code, codeVerifier, redirectUri });
 */
export async function exchangeAuthorizationCode(
  client: NinjaOneOAuthClient & { readonly code: string; readonly codeVerifier: string; readonly redirectUri: string },
): Promise<ExchangedTokens> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: client.code,
    redirect_uri: client.redirectUri,
    code_verifier: client.codeVerifier,
  });
  const body = await postTokenForm(client, form, {
    grant: 'authorization_code',
    idempotent: false,
    redirectUri: client.redirectUri,
    secrets: [client.code, client.codeVerifier],
  });
  const token = readAccessToken(client, body);
  const refreshToken = typeof body['refresh_token'] === 'string' && body['refresh_token'] !== '' ? body['refresh_token'] : null;
  return { ...token, refreshToken };
}

export interface AuthorizeUrlInput {
  readonly origin: URL;
  readonly clientId: string;
  /** Must match a redirect URI registered on the app exactly, trailing slash included. */
  readonly redirectUri: string;
  readonly scopes: string | readonly string[];
  readonly state: string;
  /** The S256 challenge from `createPkcePair`. */
  readonly codeChallenge: string;
  /** Adds `offline_access` so NinjaOne issues a refresh token; default true. */
  readonly offlineAccess?: boolean;
}

/**
 * The URL that sends the admin's browser to NinjaOne's consent screen. The client secret is never
 * put in it (a browser URL ends up in history and logs).
 *
 * @example
 * const url = buildAuthorizeUrl({ origin, clientId, redirectUri, scopes: 'monitoring management', state, codeChallenge });
 */
export function buildAuthorizeUrl(input: AuthorizeUrlInput): URL {
  const scopes = normaliseScopes(input.scopes);
  if ((input.offlineAccess ?? true) && !scopes.includes(offlineAccess)) scopes.push(offlineAccess);
  const url = new URL('/ws/oauth/authorize', input.origin);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', input.state);
  url.searchParams.set('code_challenge', input.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url;
}

/** A PKCE pair: keep `verifier` server-side with the state; send `challenge` in the authorize URL. */
export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: 'S256';
}

/**
 * @example
 * const { verifier, challenge } = await createPkcePair();
 */
export async function createPkcePair(): Promise<PkcePair> {
  const verifier = generateRandomCodeVerifier();
  return { verifier, challenge: await calculatePKCECodeChallenge(verifier), method: 'S256' };
}

/**
 * A random, URL-safe `state` for one sign-in (CSRF protection).
 *
 * @example
 * const state = createOAuthState();
 */
export function createOAuthState(): string {
  return generateRandomState();
}

/** Scopes from `"monitoring management"`, `"monitoring,management"` or a list; duplicates dropped. */
export function normaliseScopes(scopes: string | readonly string[]): string[] {
  const list = typeof scopes === 'string' ? scopes.split(/[\s,]+/) : scopes.flatMap((scope) => scope.split(/[\s,]+/));
  return [...new Set(list.filter((scope) => scope !== ''))];
}

type Grant = 'client_credentials' | 'refresh_token' | 'authorization_code';

interface GrantContext {
  readonly grant: Grant;
  readonly idempotent: boolean;
  readonly scopes?: readonly string[];
  readonly redirectUri?: string;
  readonly secrets?: readonly string[];
}

async function postTokenForm(client: NinjaOneOAuthClient, form: URLSearchParams, context: GrantContext): Promise<Record<string, unknown>> {
  form.set('client_id', client.clientId);
  if (client.clientSecret !== undefined && client.clientSecret !== '') form.set('client_secret', client.clientSecret);
  const url = new URL('/ws/oauth/token', client.origin);
  let body: unknown;
  try {
    const response = await sendNinjaOne(
      {
        method: 'POST',
        url,
        form,
        idempotent: context.idempotent,
        ...(client.timeoutMs === undefined ? {} : { timeoutMs: client.timeoutMs }),
        ...(client.signal === undefined ? {} : { signal: client.signal }),
      },
      {
        secrets: [...(client.clientSecret === undefined ? [] : [client.clientSecret]), ...(context.secrets ?? [])],
        ...(client.retry === undefined ? {} : { retry: client.retry }),
      },
    );
    body = response.body;
  } catch (error) {
    if (isVendorError(error) && error.kind !== 'canceled') throw authErrorFrom(error, client, context);
    throw error;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new NinjaOneAuthError(`NinjaOne's token endpoint at ${url.host} answered without a token object; check the NinjaOne URL.`, {
      kind: 'unexpected',
      host: url.host,
      status: 200,
    });
  }
  return body as Record<string, unknown>;
}

function readAccessToken(client: NinjaOneOAuthClient, body: Record<string, unknown>): AccessToken {
  const host = client.origin.host;
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new NinjaOneAuthError(`NinjaOne's token endpoint at ${host} answered without an access_token.`, {
      kind: 'unexpected',
      host,
      status: 200,
    });
  }
  const tokenType = body['token_type'];
  if (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') {
    throw new NinjaOneAuthError(`NinjaOne's token endpoint at ${host} issued a "${tokenType}" token; only Bearer tokens are supported.`, {
      kind: 'unexpected',
      host,
      status: 200,
    });
  }
  const expiresIn = Number(body['expires_in']);
  const lifetimeSeconds = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : defaultLifetimeSeconds;
  const now = client.now?.() ?? Date.now();
  const scope = typeof body['scope'] === 'string' ? body['scope'] : null;
  return { accessToken, expiresAt: new Date(now + lifetimeSeconds * 1000), scope };
}

/** Turns what the HTTP layer saw into what the caller must do about it. */
function authErrorFrom(error: VendorError, client: NinjaOneOAuthClient, context: GrantContext): NinjaOneAuthError {
  const host = error.host;
  const code = error.code;
  const kind = authErrorKind(error);
  const said = error.message.replace(/^NinjaOne POST \S+ /, '');
  const messages: Record<NinjaOneAuthErrorKind, () => string> = {
    invalid_grant: () =>
      context.grant === 'authorization_code'
        ? `NinjaOne at ${host} refused the authorization code (${said}): it was already used or expired, or the PKCE verifier or redirect URI did not match. Start the sign-in again.`
        : context.grant === 'refresh_token'
          ? `NinjaOne at ${host} refused the stored refresh token (${said}): it was already used, expired or revoked. Sign in to NinjaOne again to re-authorise this connection.`
          : `NinjaOne at ${host} refused the client-credentials grant (${said}).`,
    invalid_client: () =>
      `NinjaOne at ${host} refused client ID "${client.clientId}" or its secret (${said}). Check both under Administration → Apps → API → Client App IDs.`,
    invalid_scope: () =>
      `NinjaOne at ${host} refused the requested scopes${context.scopes === undefined || context.scopes.length === 0 ? '' : ` "${context.scopes.join(' ')}"`} (${said}). Enable them on the client app, or request only scopes it has (monitoring, management, control).`,
    unknown_client: () =>
      `NinjaOne at ${host} does not know client ID "${client.clientId}" (${said}): wrong NinjaOne URL/region or client ID. A client app exists only on the instance it was created on; use the URL you sign in to NinjaOne with.`,
    misconfigured: () => misconfiguredMessage(host, code, said, client, context),
    transient: () =>
      `NinjaOne's token endpoint at ${host} could not be reached or is unavailable (${said}). Try again later; this answer says nothing against the client ID, secret or tokens.`,
    unexpected: () => `NinjaOne's token endpoint at ${host} gave an unexpected answer (${said}).`,
  };
  return new NinjaOneAuthError(messages[kind](), {
    kind,
    host,
    status: error.status,
    ...(code === undefined ? {} : { code }),
    ...(error.details === undefined ? {} : { details: error.details }),
    cause: error,
  });
}

function authErrorKind(error: VendorError): NinjaOneAuthErrorKind {
  if (error.retryable || error.status === null) return 'transient';
  if (error.status === 404) return 'unknown_client';
  switch (error.code) {
    case 'invalid_grant':
    case 'invalid_token':
      return 'invalid_grant';
    case 'invalid_client':
      return 'invalid_client';
    case 'invalid_scope':
      return 'invalid_scope';
    case 'unauthorized_client':
    case 'unsupported_grant_type':
    case 'invalid_request':
    case 'redirect_uri_mismatch':
    case 'invalid_redirect_uri':
      return 'misconfigured';
    case 'temporarily_unavailable':
    case 'server_error':
      return 'transient';
    default:
      // A bare 401 from a token endpoint is client authentication failing.
      return error.status === 401 ? 'invalid_client' : 'unexpected';
  }
}

function misconfiguredMessage(
  host: string,
  code: string | undefined,
  said: string,
  client: NinjaOneOAuthClient,
  context: GrantContext,
): string {
  if (code === 'unauthorized_client' || code === 'unsupported_grant_type') {
    const needs =
      context.grant === 'client_credentials'
        ? 'the Client Credentials grant (API Services platform)'
        : 'the Authorization Code and Refresh Token grants (Web platform)';
    return `NinjaOne at ${host} does not allow client app "${client.clientId}" this grant (${said}). Enable ${needs} on the app.`;
  }
  if (code === 'redirect_uri_mismatch' || code === 'invalid_redirect_uri') {
    return `NinjaOne at ${host} refused the redirect URI ${context.redirectUri ?? ''} (${said}). Register it on the client app exactly, trailing slash included.`;
  }
  return `NinjaOne at ${host} refused the token request as malformed (${said}).`;
}
