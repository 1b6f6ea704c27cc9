/**
 * The portable column types every table file shares (see `types.ts`): its own module, so the table
 * files import it and `types.ts` imports them, without an import cycle.
 *
 * @example
 * interface WidgetsTable { created_at: IsoTimestamp; enabled: IntBool }
 */

/** ISO 8601 UTC text, e.g. `2026-11-27T09:00:00.000Z`. */
export type IsoTimestamp = string;

/** 0 or 1. */
export type IntBool = 0 | 1;
