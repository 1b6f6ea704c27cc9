/**
 * The NinjaOne adapter: URL validation, OAuth grants and sign-in helpers, the token provider and the
 * API client, and the client as the run's `UserSource`. Everything NinjaOne-specific stays behind this folder.
 *
 * @example
 * import { parseNinjaOneUrl, createTokenProvider, createNinjaOneClient } from '../ninjaone/index.ts';
 * const parsed = parseNinjaOneUrl(config.url, { allowInsecureHttp: config.allowInsecureHttp });
 * if (!parsed.ok) throw new Error(parsed.message);
 * const tokens = createTokenProvider({ origin: parsed.url, clientId, clientSecret, grant: 'client_credentials' });
 * const users = await createNinjaOneClient({ origin: parsed.url, tokens }).listUsers({});
 */
export type { ConnectionTestResult, NinjaOneClient, NinjaOneClientOptions } from './client.ts';
export { createNinjaOneClient } from './client.ts';
export type { NinjaOneAuthErrorInit, NinjaOneAuthErrorKind, NinjaOneErrorBody } from './errors.ts';
export {
  describeNinjaOneError,
  NinjaOneAuthError,
  ninjaOneAuthErrorKinds,
  NinjaOneResponseError,
  readNinjaOneErrorBody,
} from './errors.ts';
export type { AccessToken, AuthorizeUrlInput, ExchangedTokens, NinjaOneOAuthClient, PkcePair, RefreshedTokens } from './oauth.ts';
export {
  buildAuthorizeUrl,
  createOAuthState,
  createPkcePair,
  exchangeAuthorizationCode,
  normaliseScopes,
  refreshAccessToken,
  requestClientCredentialsToken,
} from './oauth.ts';
export { createNinjaOneSource, toSourceUser } from './source.ts';
export type { TokenProvider, TokenProviderOptions } from './token-provider.ts';
export { createTokenProvider } from './token-provider.ts';
export type {
  NinjaOneDevice,
  NinjaOneOrganization,
  NinjaOneRoleMember,
  NinjaOneUser,
  NinjaOneUserRole,
  NinjaOneUserType,
} from './types.ts';
export type { ParsedNinjaOneUrl, ParseNinjaOneUrlOptions } from './url.ts';
export { ninjaOneRegionalHosts, parseNinjaOneUrl } from './url.ts';
