/**
 * What every route handler may use: the settings, the store, the vault and a clock. Built once at
 * start-up by `serve`, or by a test with its own clock and database.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Vault } from '../credentials/vault.ts';
import type { AppDb } from '../db/app-database.ts';

export interface AppContext {
  readonly config: Config;
  readonly db: AppDb;
  readonly dialect: 'sqlite' | 'postgres';
  readonly vault: Vault;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Set by `serve --demo`: every page says plainly that this is a demo. */
  readonly demo?: { readonly ninjaOneUrl: string; readonly oomnitzaUrl: string } | undefined;
}
