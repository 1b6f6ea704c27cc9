/**
 * NinjaOne's error bodies, in the shapes the reference records (§9): the auth layer's
 * `{error, error_description, error_code}`, the application layer's `{resultCode, errorMessage,
 * incidentId}`, and RFC 6749 `{error, error_description}` at the token endpoint.
 *
 * @example
 * reply.code(404).send(appError('NOT_FOUND', 'Organization 9 not found'));
 */
import { randomBytes } from 'node:crypto';

/** An incident id like NinjaOne's `WEB_MGMT_SERVICE-2a-1683267369-FPCHHYPJ`. */
export function incidentId(): string {
  const letters = [...randomBytes(8)].map((byte) => String.fromCharCode(65 + (byte % 26))).join('');
  return `WEB_MGMT_SERVICE-${randomBytes(1).toString('hex')}-${Math.floor(Date.now() / 1000)}-${letters}`;
}

export interface AppErrorBody {
  resultCode: string;
  errorMessage?: string;
  incidentId: string;
}

export function appError(resultCode: string, errorMessage?: string): AppErrorBody {
  return errorMessage === undefined ? { resultCode, incidentId: incidentId() } : { resultCode, errorMessage, incidentId: incidentId() };
}

/** The three auth-layer answers NinjaOne gives before a request reaches an endpoint. */
export const authErrors = {
  missingHeader: { status: 400, body: { error: 'missing_header', error_description: 'Missing required header', error_code: 2 } },
  invalidHeader: { status: 400, body: { error: 'invalid_header', error_description: "Invalid 'Authorization' header", error_code: 1 } },
  notAuthenticated: { status: 401, body: { error: 'not_authenticated', error_description: 'Invalid credentials', error_code: 10 } },
} as const;

export const oauthErrorCodes = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'unsupported_response_type',
  'server_error',
] as const;
export type OAuthErrorCode = (typeof oauthErrorCodes)[number];

/** An OAuth failure; the token endpoint turns it into a JSON answer, the authorize endpoint into a redirect. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    options?: ErrorOptions,
  ) {
    super(`${code}: ${description}`, options);
  }
}

/** The 500 body of an injected failure, as NinjaOne sends it. */
export function failureBody(): AppErrorBody {
  return appError('FAILURE', 'NullPointerException');
}
