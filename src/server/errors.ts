/**
 * API errors. Every error answer is `{ "error": { "code", "message", "details"? } }` with a stable
 * `code` a script can branch on and a `message` a person can act on.
 *
 * @example
 * throw new ApiError(409, 'credential_in_use', 'the credential is used by 2 integrations; change them first', { integrations: ['a', 'b'] });
 */
import { formatPath } from '../integrations/yaml-locate.ts';

import type { z } from 'zod';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: Readonly<Record<string, unknown>> };
}

export function errorBody(code: string, message: string, details?: Readonly<Record<string, unknown>>): ErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}

export const notFound = (what: string, id: string): ApiError => new ApiError(404, 'not_found', `no ${what} with id ${id}`);

/**
 * zod's own words for the commonest problems ("Too small: expected string to have >=1 characters")
 * as a person reads them beside a form's field ("must not be empty"). A schema's own message stays.
 */
function inWords(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.message.startsWith('Too small'))
    return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
  if (issue.code === 'too_big' && issue.origin === 'string' && issue.message.startsWith('Too big'))
    return `must be at most ${String(issue.maximum)} characters`;
  if (issue.code === 'invalid_type' && /^Invalid input: .*received undefined$/.test(issue.message))
    return `required: expected ${issue.expected}`;
  return issue.message;
}

/** A zod failure as a 400 whose details list each field path with its problem. */
export function validationError(where: 'body' | 'query' | 'params', error: z.ZodError): ApiError {
  const fields = error.issues.map((issue) => ({
    path: formatPath(issue.path.map((part) => (typeof part === 'number' ? part : String(part)))) || '(root)',
    message: inWords(issue),
  }));
  const first = fields[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid input';
  return new ApiError(
    400,
    'validation_failed',
    `the request ${where} is not valid — ${summary}${fields.length > 1 ? ` (and ${fields.length - 1} more)` : ''}`,
    { fields },
  );
}
