/**
 * Every migration, listed in code so a bundled or `tsx`-run program needs no folder scan.
 * Kysely runs them in name order; a new one is a new file `NNNN-what.ts` plus a line here.
 *
 * @example
 * new Migrator({ db, provider: migrationProvider })
 */
import * as initial from './0001-initial.ts';
import * as accounts from './0002-accounts-and-credentials.ts';
import * as schedulesAndAlerts from './0003-schedules-and-alerts.ts';
import * as oomnitzaDataModels from './0004-oomnitza-data-models.ts';
import * as localAgents from './0005-local-agents.ts';
import * as filteredOutcome from './0006-filtered-outcome.ts';
import * as userLinks from './0007-user-links.ts';
import * as runStartersAndDisabledPeople from './0008-run-starters-and-disabled-people.ts';

import type { Migration, MigrationProvider } from 'kysely';

export const migrations: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-accounts-and-credentials': accounts,
  '0003-schedules-and-alerts': schedulesAndAlerts,
  '0004-oomnitza-data-models': oomnitzaDataModels,
  '0005-local-agents': localAgents,
  '0006-filtered-outcome': filteredOutcome,
  '0007-user-links': userLinks,
  '0008-run-starters-and-disabled-people': runStartersAndDisabledPeople,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};
