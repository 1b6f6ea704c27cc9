/**
 * "Authenticate": the authorization-code flow with `state` and PKCE S256 through our own redirect
 * URL (`<PUBLIC_URL>/oauth2/redirect`).
 *
 * The `state` is random, single use, valid for ten minutes and bound to the admin session that
 * started the flow: a redirect arriving in another browser, twice, or late is refused. Only its hash
 * is stored, and the PKCE verifier is sealed in the vault beside it.
 *
 * Every way the flow can fail ends in an `AuthorizationFailure` that says what happened and what
 * to do, for the page the admin lands on.
 *
 * @example
 * const { authorizeUrl } = await startAuthorization(deps, { credentialId, sessionIdHash, redirectUri });
 * // …NinjaOne redirects back…
 * const result = await completeAuthorization(deps, { query: request.query, sessionIdHash });
 */
import { createHash } from 'node:crypto';

import { isVendorError } from '../http/vendor-error.ts';
import { NinjaOneAuthError } from '../ninjaone/errors.ts';
import { buildAuthorizeUrl, createOAuthState, createPkcePair, exchangeAuthorizationCode } from '../ninjaone/oauth.ts';
import { CredentialError, credentialRowToCredential, getCredentialRow, openClientSecret } from './store.ts';
import { storeTokens } from './tokens.ts';

import type { AppDb } from '../db/app-database.ts';
import type { Credential } from './store.ts';
import type { Vault } from './vault.ts';

export const stateLifetimeMs = 10 * 60 * 1000;

export interface FlowDeps {
  readonly db: AppDb;
  readonly vault: Vault;
  readonly now: () => Date;
}

const hashState = (state: string): string => createHash('sha256').update(state).digest('base64url');
const verifierContext = (stateHash: string): string => `oauth_state:${stateHash}:code_verifier`;

export async function startAuthorization(
  deps: FlowDeps,
  input: { readonly credentialId: string; readonly sessionIdHash: string; readonly redirectUri: string },
): Promise<{ authorizeUrl: string }> {
  const row = await getCredentialRow(deps.db, input.credentialId);
  if (row.grant_type !== 'authorization_code') {
    throw new CredentialError(
      'invalid_field',
      'this credential uses the client-credentials grant, which needs no sign-in; use Test connection instead',
      'grantType',
    );
  }
  const state = createOAuthState();
  const pkce = await createPkcePair();
  const stateHash = hashState(state);
  const now = deps.now();
  // Old, unused states of this session for this credential are dropped: only the newest click counts.
  await deps.db.deleteFrom('oauth_states').where('credential_id', '=', row.id).where('session_hash', '=', input.sessionIdHash).execute();
  await deps.db.deleteFrom('oauth_states').where('expires_at', '<', now.toISOString()).execute();
  await deps.db
    .insertInto('oauth_states')
    .values({
      state_hash: stateHash,
      credential_id: row.id,
      session_hash: input.sessionIdHash,
      code_verifier_sealed: deps.vault.seal(pkce.verifier, verifierContext(stateHash)),
      redirect_uri: input.redirectUri,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + stateLifetimeMs).toISOString(),
      used_at: null,
    })
    .execute();
  const url = buildAuthorizeUrl({
    origin: new URL(row.url),
    clientId: row.client_id,
    redirectUri: input.redirectUri,
    scopes: row.scopes,
    state,
    codeChallenge: pkce.challenge,
  });
  return { authorizeUrl: url.toString() };
}

export interface AuthorizationFailure {
  readonly ok: false;
  readonly code: string;
  readonly title: string;
  readonly message: string;
  readonly fix: string;
  readonly credentialId: string | null;
}

export type AuthorizationResult =
  { readonly ok: true; readonly credential: Credential; readonly warning: string | null } | AuthorizationFailure;

function failure(code: string, title: string, message: string, fix: string, credentialId: string | null = null): AuthorizationFailure {
  return { ok: false, code, title, message, fix, credentialId };
}

export interface RedirectQuery {
  readonly code?: string | undefined;
  readonly state?: string | undefined;
  readonly error?: string | undefined;
  readonly error_description?: string | undefined;
}

export async function completeAuthorization(
  deps: FlowDeps,
  input: { readonly query: RedirectQuery; readonly sessionIdHash: string | null },
): Promise<AuthorizationResult> {
  const { query } = input;
  if (!query.state) {
    return failure(
      'missing_state',
      'This sign-in link is incomplete',
      'NinjaOne came back without the "state" that ties the answer to your request.',
      'Start again from the credential with Authenticate; do not open the redirect URL by hand.',
    );
  }
  const stateHash = hashState(query.state);
  const stored = await deps.db.selectFrom('oauth_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
  if (!stored) {
    return failure(
      'unknown_state',
      'This sign-in is not one we started',
      'The "state" in the answer is unknown: it was used already, replaced by a newer Authenticate click, or belongs to another server.',
      'Start again from the credential with Authenticate.',
    );
  }
  const credentialId = stored.credential_id;
  // Checked before the state is used up: an answer opened in another session leaves it for its owner.
  if (input.sessionIdHash === null || input.sessionIdHash !== stored.session_hash) {
    return failure(
      'session_mismatch',
      'This sign-in belongs to another session',
      'The sign-in was started from another browser session (or you were signed out meanwhile); for safety its answer is not used.',
      'Sign in to ninja-sync in this browser, open the credential and click Authenticate again.',
      credentialId,
    );
  }
  // Single use: whoever flips used_at first owns this state.
  const claimed = await deps.db
    .updateTable('oauth_states')
    .set({ used_at: deps.now().toISOString() })
    .where('state_hash', '=', stateHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) {
    return failure(
      'state_used',
      'This sign-in was completed already',
      'The answer from NinjaOne arrived twice (a reload or the back button).',
      'Open the credential to see its status; click Authenticate again if it is not active.',
      credentialId,
    );
  }
  if (stored.expires_at <= deps.now().toISOString()) {
    return failure(
      'state_expired',
      'This sign-in took too long',
      `The sign-in must be finished within ${stateLifetimeMs / 60000} minutes of clicking Authenticate.`,
      'Click Authenticate again and finish the NinjaOne sign-in in one go.',
      credentialId,
    );
  }
  if (query.error) {
    if (query.error === 'access_denied') {
      return failure(
        'access_denied',
        'NinjaOne access was not granted',
        'The consent screen in NinjaOne was answered with Deny (or closed).',
        'Click Authenticate again and choose Authorize in NinjaOne.',
        credentialId,
      );
    }
    if (query.error === 'invalid_scope') {
      return failure(
        'invalid_scope',
        'NinjaOne refused the scopes',
        `NinjaOne says the requested scopes are not enabled on the client app${query.error_description ? ` (${query.error_description})` : ''}.`,
        'In NinjaOne, Administration → Apps → API → Client App IDs, enable the scopes of this credential (and the Refresh Token grant), or remove them from the credential.',
        credentialId,
      );
    }
    return failure(
      query.error,
      'NinjaOne refused the sign-in',
      `NinjaOne answered "${query.error}"${query.error_description ? `: ${query.error_description}` : ''}.`,
      'Check the client app in NinjaOne (grants Authorization Code and Refresh Token, the redirect URL shown on the credential), then click Authenticate again.',
      credentialId,
    );
  }
  if (!query.code) {
    return failure(
      'missing_code',
      'NinjaOne sent no authorization code',
      'The answer from NinjaOne has neither a code nor an error.',
      'Click Authenticate again.',
      credentialId,
    );
  }
  const row = await getCredentialRow(deps.db, credentialId);
  try {
    const tokens = await exchangeAuthorizationCode({
      origin: new URL(row.url),
      clientId: row.client_id,
      clientSecret: openClientSecret(deps.vault, row),
      code: query.code,
      codeVerifier: deps.vault.open(stored.code_verifier_sealed, verifierContext(stateHash)),
      redirectUri: stored.redirect_uri,
    });
    const warning =
      tokens.refreshToken === null
        ? 'NinjaOne issued no refresh token, so this credential stops working when the access token expires (about an hour). Enable the Refresh Token grant on the client app in NinjaOne and authenticate again.'
        : null;
    await storeTokens(deps.db, deps.vault, row.id, tokens, deps.now(), warning);
    await deps.db.deleteFrom('oauth_states').where('state_hash', '=', stateHash).execute();
    return { ok: true, credential: credentialRowToCredential(await getCredentialRow(deps.db, row.id)), warning };
  } catch (error) {
    if (error instanceof NinjaOneAuthError) {
      switch (error.kind) {
        case 'invalid_grant':
          return failure(
            'invalid_grant',
            'NinjaOne did not accept the authorization code',
            'The code expired or was used already, or the redirect URL does not match the one the sign-in started with.',
            'Click Authenticate again and finish the sign-in promptly.',
            credentialId,
          );
        case 'unknown_client':
          return failure(
            'unknown_client',
            'NinjaOne does not know this client app',
            `NinjaOne at ${row.url} answered "Client app not exist": the URL points at another region or instance than the client app, or the client ID is wrong.`,
            'Check the NinjaOne URL (the host you sign in to, e.g. https://eu.ninjarmm.com or https://<subdomain>.rmmservice.com) and the client ID, then authenticate again.',
            credentialId,
          );
        case 'invalid_client':
          return failure(
            'invalid_client',
            'NinjaOne refused the client secret',
            'The client ID and secret do not match.',
            'Copy the client secret from NinjaOne again (it is shown once when the app is created; generate a new one if needed), edit the credential, then authenticate again.',
            credentialId,
          );
        case 'misconfigured':
          return failure(
            'misconfigured',
            'The NinjaOne client app is not set up for this sign-in',
            error.message,
            `In NinjaOne, the client app must be of platform Web, with the Authorization Code and Refresh Token grants, and list this exact redirect URL: ${stored.redirect_uri}`,
            credentialId,
          );
        default:
          return failure(
            'ninjaone_unavailable',
            'NinjaOne could not be reached',
            error.message,
            "Try again in a few minutes; if it goes on, check NinjaOne's status page and the URL of the credential.",
            credentialId,
          );
      }
    }
    if (isVendorError(error)) {
      return failure(
        'ninjaone_unavailable',
        'NinjaOne could not be reached',
        error.message,
        'Try again in a few minutes; check the URL of the credential.',
        credentialId,
      );
    }
    throw error;
  }
}
