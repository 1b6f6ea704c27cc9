/**
 * The API routes the UI may call, from the server's contracts (`src/contracts/`). Type-only: the
 * bundle holds none of it. A feature's routes become callable through `api` (`api.ts`) by adding
 * its contracts here; a route the server changes breaks the UI's build where it is used.
 *
 * @example
 * // in api.ts: api.get('/api/runs/:id', { params: { id } }) → Promise<ResponseOf<typeof runContracts.get>>
 */
import type { credentialContracts } from '../../src/contracts/credentials.ts';
import type { integrationContracts } from '../../src/contracts/integrations.ts';
import type { oomnitzaConnectionContracts } from '../../src/contracts/oomnitza-connections.ts';
import type { ContractsOf } from '../../src/contracts/route-contract.ts';
import type { runContracts } from '../../src/contracts/runs.ts';

export type ApiRoute =
  | ContractsOf<typeof credentialContracts>
  | ContractsOf<typeof integrationContracts>
  | ContractsOf<typeof oomnitzaConnectionContracts>
  | ContractsOf<typeof runContracts>;
