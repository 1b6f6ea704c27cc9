/**
 * What the UI itself defines. The API's shapes are not here: they come from the server's contracts
 * (`src/contracts/`, type-only) and the run vocabulary (`src/sync/ports.ts`, which imports nothing).
 */
import { terminalRunStates } from '../../src/sync/ports.ts';

import type { RunState } from '../../src/sync/ports.ts';

/** A run in one of these states is over: nothing to refresh, nothing to cancel. */
export const terminalStates: ReadonlySet<RunState> = new Set<RunState>(terminalRunStates);
