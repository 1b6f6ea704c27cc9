/**
 * `GET /ws/oauth/authorize` and the consent form it shows (reference §3.2, §14.2).
 *
 * Order of checks, as on a real authorization server: an unknown client gets a plain 404 and a
 * redirect URI that is not registered exactly gets an error page (never a redirect, because that
 * URI cannot be trusted); every later failure goes back to the client as a redirect with `error`,
 * `error_description` and `state`.
 *
 * @example
 * await app.register(authorizeRoutes, { apps, store, autoApprove: false });
 */
import formbody from '@fastify/formbody';

import { redirectUriAllowed } from './client-apps.ts';
import { OAuthError } from './errors.ts';
import { consentPage, errorPage, notFoundPage } from './pages.ts';
import { checkScopes, parseScopes } from './scopes.ts';

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ClientApp } from './client-apps.ts';
import type { AuthorizationRequest, OAuthStore } from './oauth-store.ts';

export interface AuthorizeOptions {
  apps: readonly ClientApp[];
  store: OAuthStore;
  autoApprove: () => boolean;
}

const authorizePath = '/ws/oauth/authorize';
const pkceValue = /^[A-Za-z0-9\-._~]{43,128}$/;

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `Parameter ${name} is repeated`);
  return typeof value === 'string' ? value : undefined;
}

function redirectWith(reply: FastifyReply, redirectUri: string, params: Record<string, string | null>): FastifyReply {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  return reply.redirect(url.toString(), 302);
}

export async function authorizeRoutes(app: FastifyInstance, options: AuthorizeOptions): Promise<void> {
  const { apps, store } = options;
  await app.register(formbody);

  app.get(authorizePath, async function authorize(request, reply) {
    const query = request.query as Record<string, unknown>;
    const clientId = typeof query.client_id === 'string' ? query.client_id : undefined;
    const client = apps.find((candidate) => candidate.clientId === clientId);
    if (!client) return reply.code(404).type('text/html').send(notFoundPage);

    const redirectUri = typeof query.redirect_uri === 'string' ? query.redirect_uri : undefined;
    if (redirectUri === undefined || !redirectUriAllowed(client, redirectUri)) {
      return reply
        .code(400)
        .type('text/html')
        .send(
          errorPage(
            'invalid_redirect_uri',
            `The redirect_uri ${redirectUri ?? '(missing)'} is not registered for client app ${client.name}. Register it exactly, trailing slash included.`,
          ),
        );
    }

    const state = typeof query.state === 'string' ? query.state : null;
    try {
      const authRequest = readAuthorizeRequest(client, query, redirectUri, state);
      if (options.autoApprove()) return redirectWith(reply, redirectUri, { code: store.issueCode(authRequest), state });
      const consent = store.startConsent(authRequest);
      return reply
        .type('text/html')
        .header('cache-control', 'no-store')
        .send(consentPage(client, consent, authorizePath));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      return redirectWith(reply, redirectUri, { error: error.code, error_description: error.description, state });
    }
  });

  app.post(authorizePath, async function decide(request, reply) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const consent = typeof body.transaction === 'string' ? store.takeConsent(body.transaction) : null;
    if (!consent)
      return reply
        .code(400)
        .type('text/html')
        .send(errorPage('invalid_request', 'This authorization request has expired or was already answered. Start the sign-in again.'));
    if (body.decision !== 'approve') {
      return redirectWith(reply, consent.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied the authorization request',
        state: consent.state,
      });
    }
    return redirectWith(reply, consent.redirectUri, { code: store.issueCode(consent), state: consent.state });
  });
}

function readAuthorizeRequest(
  client: ClientApp,
  query: Record<string, unknown>,
  redirectUri: string,
  state: string | null,
): AuthorizationRequest {
  const responseType = single(query, 'response_type');
  if (responseType === undefined) throw new OAuthError('invalid_request', 'Missing response_type');
  if (responseType !== 'code')
    throw new OAuthError('unsupported_response_type', `response_type ${responseType} is not supported; use code`);
  if (!client.grants.includes('authorization_code'))
    throw new OAuthError('unauthorized_client', 'This client app is not allowed the authorization_code grant');

  const requested = parseScopes(single(query, 'scope'));
  // No scope: the app's own scopes, as the client-credentials grant does.
  const scopes = requested === null || requested.length === 0 ? [...client.scopes] : requested;
  checkScopes(client, scopes);

  const challenge = single(query, 'code_challenge');
  const method = single(query, 'code_challenge_method');
  if (challenge === undefined && method !== undefined)
    throw new OAuthError('invalid_request', 'code_challenge_method without code_challenge');
  if (challenge !== undefined) {
    // An absent method means "plain" (RFC 7636 §4.3), which is refused: S256 only.
    if (method !== 'S256') throw new OAuthError('invalid_request', 'Only code_challenge_method=S256 is supported');
    if (!pkceValue.test(challenge)) throw new OAuthError('invalid_request', 'code_challenge must be 43-128 characters of base64url');
  }
  return { clientId: client.clientId, redirectUri, scopes, state, codeChallenge: challenge ?? null };
}
