/**
 * The one error type the vendor HTTP layer throws. It says which vendor, which request (method,
 * host, path — never the query, which may carry a secret) and what kind of failure it was, so the
 * sync can tell "try again later" from "fix your configuration" without parsing messages.
 *
 * @example
 * try { await sendJson(request, { vendor: 'Oomnitza' }); }
 * catch (error) { if (error instanceof VendorError && error.status === 401) askForNewToken(); }
 */

export const vendorNames = ['NinjaOne', 'Oomnitza'] as const;
export type VendorName = (typeof vendorNames)[number];

export const vendorErrorKinds = ['http', 'html', 'malformed_json', 'network', 'timeout', 'rate_limited', 'canceled'] as const;
export type VendorErrorKind = (typeof vendorErrorKinds)[number];

export const httpMethods = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
export type HttpMethod = (typeof httpMethods)[number];

export interface VendorErrorInit {
  readonly vendor: VendorName;
  readonly kind: VendorErrorKind;
  readonly status: number | null;
  readonly host: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly retryable: boolean;
  /** How many attempts were made before giving up (1 when the first attempt was final). */
  readonly attempts?: number;
  /** The vendor's own error code, when its body names one. */
  readonly code?: string;
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;
}

/** A failed vendor call. `message` is safe to show and log: it never holds a header value or token. */
export class VendorError extends Error {
  override readonly name = 'VendorError';
  readonly vendor: VendorName;
  readonly kind: VendorErrorKind;
  /** HTTP status, or null when no answer arrived (network, timeout, canceled). */
  readonly status: number | null;
  readonly host: string;
  readonly method: HttpMethod;
  /** The URL path without its query string. */
  readonly path: string;
  /** Whether the same request may succeed later (429, 5xx, network, timeout). */
  readonly retryable: boolean;
  readonly attempts: number;
  readonly code?: string;
  readonly details?: Record<string, unknown>;

  constructor(message: string, init: VendorErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.vendor = init.vendor;
    this.kind = init.kind;
    this.status = init.status;
    this.host = init.host;
    this.method = init.method;
    this.path = init.path;
    this.retryable = init.retryable;
    this.attempts = init.attempts ?? 1;
    if (init.code !== undefined) this.code = init.code;
    if (init.details !== undefined) this.details = init.details;
  }

  /** The same error after `attempts` tries, so the caller sees how hard the layer tried. */
  withAttempts(attempts: number): VendorError {
    const copy = new VendorError(this.message, { ...this.init(), attempts });
    copy.stack = this.stack ?? '';
    return copy;
  }

  /** The same error with a new message (e.g. naming the record, or a hint), caused by this one. */
  withMessage(message: string): VendorError {
    return new VendorError(message, { ...this.init(), cause: this });
  }

  private init(): VendorErrorInit {
    return {
      vendor: this.vendor,
      kind: this.kind,
      status: this.status,
      host: this.host,
      method: this.method,
      path: this.path,
      retryable: this.retryable,
      attempts: this.attempts,
      ...(this.code === undefined ? {} : { code: this.code }),
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    };
  }
}

/** True when `error` is a VendorError, optionally of one of `kinds`. */
export function isVendorError(error: unknown, ...kinds: VendorErrorKind[]): error is VendorError {
  return error instanceof VendorError && (kinds.length === 0 || kinds.includes(error.kind));
}
