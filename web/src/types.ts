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

export type CredentialStatus = 'pending' | 'active' | 'needs_reauth' | 'failing';

export interface Credential {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly clientId: string;
  readonly clientSecretHint: string;
  readonly scopes: string;
  readonly grantType: 'authorization_code' | 'client_credentials';
  readonly allowInsecureHttp: boolean;
  readonly status: CredentialStatus;
  readonly statusReason: string | null;
  readonly grantedScopes: string | null;
  readonly hasRefreshToken: boolean;
  readonly accessTokenExpiresAt: string | null;
  readonly lastRefreshedAt: string | null;
  readonly usedBy: readonly string[];
}

export interface CredentialList {
  readonly credentials: readonly Credential[];
  readonly redirectUrl: string;
}

export interface ConnectionTest {
  readonly ok: boolean;
  readonly userCount: number | null;
  readonly message: string;
}

export interface OomnitzaConnection {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly apiTokenHint: string;
  readonly allowInsecureHttp: boolean;
  readonly status: 'untested' | 'ok' | 'failing';
  readonly statusReason: string | null;
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
