/**
 * `sendJson` with NinjaOne's manners: its error bodies decoded (`describeNinjaOneError`) and the
 * `x-nj-request-id` of a failed answer kept as `details.requestId`, next to `incidentId`, so a
 * failure can be traced with NinjaOne support without logging anything secret.
 *
 * The shared layer does not hand response headers to `describeError`, so the header is read
 * through its `fetch` hook, one closure per call (safe under concurrency).
 *
 * @example
 * const { body } = await sendNinjaOne({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
 */
import { sendJson } from '../http/send-json.ts';
import { isVendorError, VendorError } from '../http/vendor-error.ts';
import { describeNinjaOneError } from './errors.ts';

import type { SendJsonOptions, VendorRequest, VendorResponse } from '../http/send-json.ts';

export type NinjaOneSendOptions = Omit<SendJsonOptions, 'vendor' | 'describeError'>;

export async function sendNinjaOne<T = unknown>(request: VendorRequest, options: NinjaOneSendOptions = {}): Promise<VendorResponse<T>> {
  let requestId: string | null = null;
  const baseFetch = options.fetch ?? fetch;
  const fetchKeepingRequestId: typeof fetch = async function fetchKeepingRequestId(input, init) {
    const response = await baseFetch(input, init);
    requestId = response.headers.get('x-nj-request-id');
    return response;
  };
  try {
    return await sendJson<T>(request, {
      ...options,
      vendor: 'NinjaOne',
      describeError: describeNinjaOneError,
      fetch: fetchKeepingRequestId,
    });
  } catch (error) {
    if (!isVendorError(error) || requestId === null || error.status === null) throw error;
    throw withDetails(error, { requestId });
  }
}

/** The same VendorError with more log-safe details. */
function withDetails(error: VendorError, extra: Record<string, unknown>): VendorError {
  const copy = new VendorError(error.message, {
    vendor: error.vendor,
    kind: error.kind,
    status: error.status,
    host: error.host,
    method: error.method,
    path: error.path,
    retryable: error.retryable,
    attempts: error.attempts,
    ...(error.code === undefined ? {} : { code: error.code }),
    details: { ...error.details, ...extra },
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
  copy.stack = error.stack ?? '';
  return copy;
}
