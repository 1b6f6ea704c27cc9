/**
 * The Oomnitza client and its building blocks.
 *
 * @example
 * import { createOomnitzaClient } from '../oomnitza/index.ts';
 */
export { isLoopback, OomnitzaConfigError, parseOomnitzaBaseUrl } from './base-url.ts';
export type { OomnitzaClient, OomnitzaClientOptions } from './client.ts';
export { createOomnitzaClient } from './client.ts';
export { isAmbiguousFailure } from './create-once.ts';
export { batchInFilters, eqFilter, inFilter, lookupVariants, quoteFilterValue } from './filter.ts';
export type { OomnitzaFieldInfo, UserDataModel } from './user-fields.ts';
export { parseUserDataModel } from './user-fields.ts';
