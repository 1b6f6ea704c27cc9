/**
 * The Oomnitza client and its building blocks.
 *
 * @example
 * import { createOomnitzaClient } from '../oomnitza/index.ts';
 */
export { createOomnitzaClient } from './client.ts';
export type { OomnitzaClient, OomnitzaClientOptions } from './client.ts';
export { OomnitzaConfigError, parseOomnitzaBaseUrl, isLoopback } from './base-url.ts';
export { quoteFilterValue, eqFilter, inFilter, batchInFilters, lookupVariants } from './filter.ts';
export { isAmbiguousFailure } from './create-once.ts';
export type { OomnitzaFieldInfo } from './user-fields.ts';
