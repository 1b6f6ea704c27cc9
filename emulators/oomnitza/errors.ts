/**
 * The one error type the Oomnitza emulator's routes throw. Oomnitza documents no error body (the
 * spec lists only 2xx answers), so the shape here is ours: `{ "error": { code, message, details? } }`,
 * with the field, value or filter position a client needs to fix its request. Clients should treat
 * the body as opaque text and show the message. [INFERRED]
 *
 * @example
 * throw new OomnitzaApiError(400, 'unknown_field', 'unknown field "colour"; see GET /api/v3/users/meta', { field: 'colour' });
 */
export class OomnitzaApiError extends Error {
  override readonly name = 'OomnitzaApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toBody(): { error: { code: string; message: string; details?: Readonly<Record<string, unknown>> } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

/** 400 for a value a field does not take. */
export function fieldError(field: string, message: string, code = 'invalid_field'): OomnitzaApiError {
  return new OomnitzaApiError(400, code, `${field}: ${message}`, { field });
}

export function notFound(what: string, ident: string): OomnitzaApiError {
  return new OomnitzaApiError(404, 'not_found', `${what} "${ident}" not found`, { ident });
}

/** A value as text for a message: strings as they are, anything else as JSON. */
export function display(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? 'undefined';
}
