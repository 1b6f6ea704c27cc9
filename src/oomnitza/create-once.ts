/**
 * Creating a record without ever creating it twice. A POST that times out, loses its connection or
 * gets a 5xx or garbled 2xx answer may or may not have been applied; retrying it blindly could
 * duplicate the record. So after such an ambiguous failure we look the record up by a unique key:
 * found means the create went through; not found means it did not, and the POST is tried again (a
 * bounded number of times). When the lookup itself fails, the outcome is unknown and the error says
 * so; a later run finds the record by its key rather than creating it again.
 *
 * Failures that are not ambiguous (4xx, a 429 budget spent, a refused connection) are thrown as
 * they are: the service did not apply the write.
 *
 * @example
 * const user = await createOnce(transport, { label: 'user "ada"', lookupKey: 'username',
 *   post: () => postUser(fields), lookup: () => findByUsername('ada') });
 */
import { resolveRetryPolicy, retryDelayMs } from '../http/retry-policy.ts';
import { VendorError } from '../http/vendor-error.ts';
import { withRecordContext } from './transport.ts';

import type { OomnitzaTransport } from './transport.ts';

export interface CreateOnceOptions<T> {
  /** What is created, for messages: `user "ada@example.com"`. */
  readonly label: string;
  readonly post: () => Promise<T>;
  /** Finds the record the POST would have created; null when the record has no unique key. */
  readonly lookup: (() => Promise<T | null>) | null;
  /** The unique key the lookup uses, for messages. */
  readonly lookupKey: string;
  /** POSTs in all; default 3. */
  readonly maxAttempts?: number;
  readonly signal?: AbortSignal | undefined;
}

export interface CreateOnceResult<T> {
  readonly record: T;
  /** True when an ambiguous failure happened and the lookup found the record. */
  readonly recovered: boolean;
}

/** True when a failed write may nevertheless have been applied. */
export function isAmbiguousFailure(error: unknown): error is VendorError {
  if (!(error instanceof VendorError)) return false;
  if (error.kind === 'timeout') return true;
  if (error.kind === 'network') return error.details?.['networkCode'] !== 'ECONNREFUSED';
  if (error.kind === 'html' || error.kind === 'malformed_json' || error.kind === 'http') {
    return error.status !== null && (error.status >= 500 || (error.status >= 200 && error.status < 300));
  }
  return false;
}

export async function createOnce<T>(transport: OomnitzaTransport, options: CreateOnceOptions<T>): Promise<CreateOnceResult<T>> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const policy = resolveRetryPolicy(transport.retry);
  for (let attempt = 1; ; attempt++) {
    try {
      return { record: await options.post(), recovered: false };
    } catch (error) {
      if (!isAmbiguousFailure(error) || options.lookup === null) throw withRecordContext(error, `creating ${options.label}`);
      let found: T | null;
      try {
        found = await options.lookup();
      } catch (cause) {
        const why = cause instanceof Error ? cause.message : String(cause);
        throw withRecordContext(
          error,
          `creating ${options.label} got no clear answer, and looking it up by ${options.lookupKey} failed too (${why}); it may or may not exist now, and the next run will find it by its key rather than create it twice`,
        );
      }
      if (found !== null) return { record: found, recovered: true };
      if (attempt >= maxAttempts) throw withRecordContext(error, `creating ${options.label} (still not created after ${attempt} tries)`);
      await transport.sleep(retryDelayMs(policy, attempt + 1), options.signal);
    }
  }
}
