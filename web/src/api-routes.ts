/**
 * The API routes the UI may call: every contract of the browser-facing API (`src/contracts/`; the
 * agent protocol is not for browsers). Type-only: the bundle holds none of it. A route the server
 * changes breaks the UI's build where it is used; a new feature's routes become callable through
 * `api` (`api.ts`) by adding its contracts here.
 *
 * @example
 * // in api.ts: api.get('/api/runs/:id', { params: { id } }) → Promise<ResponseOf<typeof runContracts.get>>
 */
import type { agentContracts } from '../../src/contracts/agents.ts';
import type { catalogueContracts } from '../../src/contracts/catalogue.ts';
import type { credentialContracts } from '../../src/contracts/credentials.ts';
import type { integrationContracts } from '../../src/contracts/integrations.ts';
import type { notificationContracts } from '../../src/contracts/notifications.ts';
import type { oomnitzaConnectionContracts } from '../../src/contracts/oomnitza-connections.ts';
import type { peopleContracts } from '../../src/contracts/people.ts';
import type { previewContracts } from '../../src/contracts/preview.ts';
import type { ContractsOf } from '../../src/contracts/route-contract.ts';
import type { runContracts } from '../../src/contracts/runs.ts';
import type { scheduleContracts } from '../../src/contracts/schedule.ts';
import type { sessionContracts } from '../../src/contracts/session.ts';
import type { accessContracts } from '../../src/contracts/tokens.ts';

export type ApiRoute =
  | ContractsOf<typeof accessContracts>
  | ContractsOf<typeof agentContracts>
  | ContractsOf<typeof catalogueContracts>
  | ContractsOf<typeof credentialContracts>
  | ContractsOf<typeof integrationContracts>
  | ContractsOf<typeof notificationContracts>
  | ContractsOf<typeof oomnitzaConnectionContracts>
  | ContractsOf<typeof peopleContracts>
  | ContractsOf<typeof previewContracts>
  | ContractsOf<typeof runContracts>
  | ContractsOf<typeof scheduleContracts>
  | ContractsOf<typeof sessionContracts>;
