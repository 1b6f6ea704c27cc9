/**
 * The shapes the API answers with, as the UI reads them. They mirror the zod contracts exported by
 * `src/server/routes/*.ts`; the integration document is imported from its schema as a type only,
 * so nothing of the server ends up in the bundle.
 */
import type { RunView } from '../../src/contracts/runs.ts';
import type { IntegrationInput } from '../../src/integrations/schema.ts';

type RunState = RunView['state'];

export type { IntegrationInput };

export interface AppUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: 'admin' | 'viewer';
}

export interface Session {
  readonly user: AppUser | null;
  readonly csrfToken: string | null;
  readonly setupRequired: boolean;
  readonly demo: { readonly ninjaOneUrl: string; readonly oomnitzaUrl: string } | null;
}

/** The run states in the order the UI offers them (the state filter); the type checks the list is whole. */
export const runStates = [
  'queued',
  'running',
  'succeeded',
  'completed_with_errors',
  'failed',
  'canceled',
] as const satisfies readonly RunState[];
const _everyRunState: readonly (typeof runStates)[number][] = [] as RunState[];

export interface CatalogueField {
  readonly key: string;
  readonly label: string;
  readonly type: string;
  readonly description: string;
}

export const terminalStates: ReadonlySet<RunState> = new Set<RunState>(['succeeded', 'completed_with_errors', 'failed', 'canceled']);
