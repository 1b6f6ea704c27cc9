/**
 * `POST /ws/oauth/token` (and the `/oauth/token` alias some clients use), reference §3.3–§3.8 and
 * §14.3: form-encoded only, client authentication in the body or by HTTP Basic, and the
 * authorization_code, refresh_token and client_credentials grants.
 *
 * Answers carry `Cache-Control: no-store`. Failures are RFC 6749 `{error, error_description}`
 * bodies, except an unknown client, which NinjaOne answers with its own 404
 * `{"resultCode":"Client app not exist"}`.
 *
 * @example
 * await app.register(tokenRoutes, { apps, store });
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';

import { isPublicClient } from './client-apps.ts';
import { appError, OAuthError } from './errors.ts';
import { checkScopes, offlineAccess, parseScopes } from './scopes.ts';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientApp, GrantType } from './client-apps.ts';
import type { IssuedTokens, OAuthStore } from './oauth-store.ts';

export interface TokenOptions {
  apps: readonly ClientApp[];
  store: OAuthStore;
}

type Form = Record<string, string | undefined>;

class UnknownClientError extends Error {
  override readonly name = 'UnknownClientError';
}

export async function tokenRoutes(app: FastifyInstance, options: TokenOptions): Promise<void> {
  await app.register(formbody);
  // Any other body type reaches the handler unparsed, so that it is refused with an OAuth error
  // rather than a framework one (JSON included: NinjaOne's token endpoint takes forms only).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const handler = async function token(request: FastifyRequest, reply: FastifyReply) {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    try {
      const tokens = grant(request, options);
      return reply.send({
        access_token: tokens.accessToken,
        expires_in: options.store.settings.accessTokenTtlSeconds,
        scope: tokens.scopes.join(' '),
        token_type: 'Bearer',
        ...(tokens.refreshToken === null ? {} : { refresh_token: tokens.refreshToken }),
      });
    } catch (error) {
      if (error instanceof UnknownClientError) return reply.code(404).send(appError('Client app not exist'));
      if (!(error instanceof OAuthError)) throw error;
      if (error.status === 401 && request.headers.authorization?.startsWith('Basic '))
        void reply.header('www-authenticate', 'Basic realm="ninjaone"');
      return reply.code(error.status).send({ error: error.code, error_description: error.description });
    }
  };
  app.post('/ws/oauth/token', handler);
  app.post('/oauth/token', handler);
}

function readForm(request: FastifyRequest): Form {
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded') || typeof request.body !== 'object' || request.body === null) {
    throw new OAuthError('invalid_request', 'The token endpoint takes application/x-www-form-urlencoded bodies only');
  }
  const form: Form = {};
  for (const [key, value] of Object.entries(request.body as Record<string, unknown>)) {
    if (Array.isArray(value)) throw new OAuthError('invalid_request', `Parameter ${key} is repeated`);
    if (typeof value === 'string' && value !== '') form[key] = value;
  }
  return form;
}

/** Client id and secret from HTTP Basic (RFC 6749 §2.3.1: each form-urlencoded) or the body. */
function authenticateClient(request: FastifyRequest, form: Form, apps: readonly ClientApp[]): ClientApp {
  let clientId = form.client_id;
  let secret = form.client_secret;
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'Malformed Basic authorization header', 401);
    const basicId = formDecode(decoded.slice(0, colon));
    const basicSecret = formDecode(decoded.slice(colon + 1));
    if ((clientId !== undefined && clientId !== basicId) || (secret !== undefined && secret !== basicSecret)) {
      throw new OAuthError('invalid_request', 'Client credentials in the body differ from the Authorization header');
    }
    clientId = basicId;
    secret = basicSecret;
  }
  if (clientId === undefined) throw new OAuthError('invalid_client', 'Missing client_id', 401);
  const client = apps.find((candidate) => candidate.clientId === clientId);
  if (!client) throw new UnknownClientError();
  if (secret === undefined ? !isPublicClient(client) : !sameSecret(secret, client.clientSecret)) {
    throw new OAuthError('invalid_client', 'Client authentication failed', 401);
  }
  return client;
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch (error) {
    throw new OAuthError('invalid_client', 'Malformed Basic authorization header', 401, { cause: error });
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const knownGrants: readonly string[] = ['authorization_code', 'refresh_token', 'client_credentials'];

function grant(request: FastifyRequest, options: TokenOptions): IssuedTokens {
  const form = readForm(request);
  const client = authenticateClient(request, form, options.apps);
  const grantType = form.grant_type;
  if (grantType === undefined) throw new OAuthError('invalid_request', 'Missing grant_type');
  if (!knownGrants.includes(grantType)) throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
  if (!client.grants.includes(grantType as GrantType))
    throw new OAuthError('unauthorized_client', `This client app is not allowed the ${grantType} grant`);
  if (grantType === 'authorization_code') return authorizationCodeGrant(client, form, options.store);
  if (grantType === 'refresh_token') return refreshTokenGrant(client, form, options.store);
  return clientCredentialsGrant(client, form, options.store);
}

function authorizationCodeGrant(client: ClientApp, form: Form, store: OAuthStore): IssuedTokens {
  if (form.code === undefined) throw new OAuthError('invalid_request', 'Missing code');
  const code = store.findCode(form.code);
  if (!code || code.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'Authorization code is invalid or expired');
  if (code.used) {
    // A replayed code may be stolen: revoke what it produced (RFC 6749 §4.1.2).
    store.revokeFamily(code.family);
    throw new OAuthError('invalid_grant', 'Authorization code was already used');
  }
  if (code.expiresAt <= Date.now()) throw new OAuthError('invalid_grant', 'Authorization code is invalid or expired');
  if (form.redirect_uri !== code.redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  if (code.codeChallenge === null) {
    if (form.code_verifier !== undefined)
      throw new OAuthError('invalid_grant', 'code_verifier sent, but the authorization request had no code_challenge');
  } else {
    if (form.code_verifier === undefined) throw new OAuthError('invalid_grant', 'Missing code_verifier');
    const computed = createHash('sha256').update(form.code_verifier).digest('base64url');
    if (computed !== code.codeChallenge) throw new OAuthError('invalid_grant', 'code_verifier does not match code_challenge');
  }
  code.used = true;
  const withRefresh = code.scopes.includes(offlineAccess) && client.grants.includes('refresh_token');
  return store.issueUserTokens(client.clientId, code.scopes, code.scopes, code.family, withRefresh);
}

function refreshTokenGrant(client: ClientApp, form: Form, store: OAuthStore): IssuedTokens {
  if (form.refresh_token === undefined) throw new OAuthError('invalid_request', 'Missing refresh_token');
  const refresh = store.findRefreshToken(form.refresh_token);
  if (!refresh || refresh.spent || refresh.clientId !== client.clientId)
    throw new OAuthError('invalid_grant', 'Refresh token is invalid, expired or already used');
  const requested = parseScopes(form.scope);
  let accessScopes = refresh.scopes;
  if (requested !== null && requested.length > 0) {
    const extra = requested.filter((scope) => !refresh.scopes.includes(scope));
    if (extra.length > 0) throw new OAuthError('invalid_scope', `Scope was not granted originally: ${extra.join(' ')}`);
    accessScopes = requested;
  }
  const rotate = store.settings.rotateRefreshTokens;
  if (rotate) refresh.spent = true;
  // Without rotation the answer carries no refresh_token and the client keeps its old one (RFC 6749 §6).
  return store.issueUserTokens(client.clientId, refresh.scopes, accessScopes, refresh.family, rotate);
}

function clientCredentialsGrant(client: ClientApp, form: Form, store: OAuthStore): IssuedTokens {
  const requested = parseScopes(form.scope);
  // No scope: every scope configured on the app (reference §3.3).
  const scopes = requested === null || requested.length === 0 ? [...client.scopes] : requested;
  if (scopes.includes(offlineAccess)) throw new OAuthError('invalid_scope', 'offline_access is not allowed with client_credentials');
  checkScopes(client, scopes);
  return store.issueClientToken(client.clientId, scopes);
}
