/**
 * NinjaOne's error bodies, read into words, and the error the OAuth grants throw.
 *
 * NinjaOne answers in two shapes: the auth layer says `{error, error_description, error_code}`
 * (`not_authenticated`, `user_context_required`, OAuth's `invalid_grant`, ...), the application
 * layer says `{resultCode, errorMessage?, incidentId}` (`FAILURE`, `Client app not exist`). Both are
 * decoded leniently; the `incidentId` is kept apart as a detail that is safe to log and that
 * NinjaOne support can look up.
 *
 * @example
 * sendJson(request, { vendor: 'NinjaOne', describeError: describeNinjaOneError });
 */
import type { ErrorDescription } from '../http/send-json.ts';

/** The fields NinjaOne error bodies carry; any may be absent. */
export interface NinjaOneErrorBody {
  readonly error?: string;
  readonly errorDescription?: string;
  readonly errorCode?: number | string;
  readonly resultCode?: string;
  readonly errorMessage?: string;
  readonly incidentId?: string;
}

/** Reads either NinjaOne error shape from a parsed body; an unrelated value gives `{}`. */
export function readNinjaOneErrorBody(body: unknown): NinjaOneErrorBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const record = body as Record<string, unknown>;
  const text = (key: string): string | undefined => {
    const value = record[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const errorCode = record['error_code'];
  const error = text('error');
  const errorDescription = text('error_description');
  const resultCode = text('resultCode');
  const errorMessage = text('errorMessage');
  const incidentId = text('incidentId');
  return {
    ...(error === undefined ? {} : { error }),
    ...(errorDescription === undefined ? {} : { errorDescription }),
    ...(typeof errorCode === 'number' || (typeof errorCode === 'string' && errorCode !== '') ? { errorCode } : {}),
    ...(resultCode === undefined ? {} : { resultCode }),
    ...(errorMessage === undefined ? {} : { errorMessage }),
    ...(incidentId === undefined ? {} : { incidentId }),
  };
}

/** What some NinjaOne error codes mean for the person reading the message. */
const hints: Readonly<Record<string, string>> = {
  not_authenticated: 'the access token is invalid or expired',
  missing_header: 'the request carried no Authorization header',
  invalid_header: 'the Authorization header was not "Bearer <token>"',
  user_context_required:
    'this call needs a token with user context (authorization-code sign-in); a client-credentials token cannot make it',
};

/**
 * `describeError` for `sendJson`: a message from either error shape plus log-safe details
 * (`incidentId`, `errorCode`). The body is the parsed JSON, or the text when it was not JSON.
 */
export function describeNinjaOneError(_status: number, body: unknown): ErrorDescription {
  if (typeof body === 'string') return {};
  const decoded = readNinjaOneErrorBody(body);
  const code = decoded.error ?? decoded.resultCode;
  const said = decoded.errorDescription ?? decoded.errorMessage;
  const hint = code === undefined ? undefined : hints[code];
  let message = said ?? code ?? '';
  if (said !== undefined && code !== undefined)
    message += ` (${code}${decoded.errorCode === undefined ? '' : `, code ${decoded.errorCode}`})`;
  if (hint !== undefined) message = `${message}: ${hint}`;
  if (decoded.incidentId !== undefined) message += ` (incident ${decoded.incidentId})`;
  const details: Record<string, unknown> = {};
  if (decoded.incidentId !== undefined) details['incidentId'] = decoded.incidentId;
  if (decoded.errorCode !== undefined) details['errorCode'] = decoded.errorCode;
  return {
    ...(code === undefined ? {} : { code }),
    ...(message === '' ? {} : { message }),
    ...(Object.keys(details).length === 0 ? {} : { details }),
  };
}

export const ninjaOneAuthErrorKinds = [
  /** The refresh token or authorization code is spent, expired or revoked: sign in again. */
  'invalid_grant',
  /** Wrong client ID or secret. */
  'invalid_client',
  /** A requested scope is not enabled on the client app. */
  'invalid_scope',
  /** 404 "Client app not exist": wrong NinjaOne URL/region or client ID. */
  'unknown_client',
  /** The client app is not set up for this grant or redirect URI, or the request was refused as malformed. */
  'misconfigured',
  /** 429, 5xx, network fault or timeout: try again later; never a reason to re-authorise. */
  'transient',
  /** An answer that fits none of the above (e.g. a 200 without an access token). */
  'unexpected',
] as const;
export type NinjaOneAuthErrorKind = (typeof ninjaOneAuthErrorKinds)[number];

export interface NinjaOneAuthErrorInit {
  readonly kind: NinjaOneAuthErrorKind;
  readonly host: string;
  readonly status: number | null;
  /** NinjaOne's own code (`invalid_grant`, `invalid_token`, `Client app not exist`, ...). */
  readonly code?: string;
  /** Log-safe: `incidentId`, `errorCode`, `retryAfter`. Never a token or secret. */
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;
}

/** A token request NinjaOne refused or could not answer. The message never holds a secret. */
export class NinjaOneAuthError extends Error {
  override readonly name = 'NinjaOneAuthError';
  readonly kind: NinjaOneAuthErrorKind;
  readonly host: string;
  readonly status: number | null;
  readonly code?: string;
  readonly details?: Record<string, unknown>;

  constructor(message: string, init: NinjaOneAuthErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.host = init.host;
    this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    if (init.details !== undefined) this.details = init.details;
  }

  /** The stored grant is dead: the admin must sign in to NinjaOne again. */
  get needsReauthorization(): boolean {
    return this.kind === 'invalid_grant';
  }

  /** The same request may succeed later. */
  get retryable(): boolean {
    return this.kind === 'transient';
  }
}

/** A NinjaOne answer that is JSON but not the shape the client needs (e.g. a user without an id). */
export class NinjaOneResponseError extends Error {
  override readonly name = 'NinjaOneResponseError';
  readonly host: string;
  readonly path: string;

  constructor(message: string, init: { readonly host: string; readonly path: string; readonly cause?: unknown }) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.host = init.host;
    this.path = init.path;
  }
}
