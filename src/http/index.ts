/**
 * The vendor HTTP layer shared by the NinjaOne and Oomnitza clients: `sendJson` (timeouts, retries,
 * error discipline), `VendorError`, the retry policy and the adaptive concurrency limiter.
 *
 * @example
 * import { sendJson, VendorError, createAdaptiveLimiter } from '../http/index.ts';
 */
export type { AdaptiveLimiter, AdaptiveLimiterOptions, LimiterOutcome, LimiterPermit } from './limiter.ts';
export { createAdaptiveLimiter } from './limiter.ts';
export { bodyExcerpt, secretScrubber, secretsOfRequest } from './redact.ts';
export type { RetryPolicy } from './retry-policy.ts';
export { defaultRetryPolicy, parseRetryAfter, resolveRetryPolicy, retryDelayMs } from './retry-policy.ts';
export type { ErrorDescription, RetryInfo, SendJsonOptions, VendorRequest, VendorResponse } from './send-json.ts';
export { describeVendorBody, sendJson } from './send-json.ts';
export type { HttpMethod, VendorErrorInit, VendorErrorKind, VendorName } from './vendor-error.ts';
export { httpMethods, isVendorError, VendorError, vendorErrorKinds, vendorNames } from './vendor-error.ts';
