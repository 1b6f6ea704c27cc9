/**
 * The vendor HTTP layer shared by the NinjaOne and Oomnitza clients: `sendJson` (timeouts, retries,
 * error discipline), `VendorError`, the retry policy and the adaptive concurrency limiter.
 *
 * @example
 * import { sendJson, VendorError, createAdaptiveLimiter } from '../http/index.ts';
 */
export { sendJson, describeVendorBody } from './send-json.ts';
export type { VendorRequest, VendorResponse, SendJsonOptions, RetryInfo, ErrorDescription } from './send-json.ts';
export { VendorError, isVendorError, vendorErrorKinds, vendorNames, httpMethods } from './vendor-error.ts';
export type { VendorErrorKind, VendorName, HttpMethod, VendorErrorInit } from './vendor-error.ts';
export { defaultRetryPolicy, resolveRetryPolicy, retryDelayMs, parseRetryAfter } from './retry-policy.ts';
export type { RetryPolicy } from './retry-policy.ts';
export { createAdaptiveLimiter } from './limiter.ts';
export type { AdaptiveLimiter, AdaptiveLimiterOptions, LimiterOutcome, LimiterPermit } from './limiter.ts';
export { bodyExcerpt, secretScrubber, secretsOfRequest } from './redact.ts';
