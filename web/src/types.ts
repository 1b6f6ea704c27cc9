/**
 * The shapes the API answers with, as the UI reads them. They mirror the zod contracts exported by
 * `src/server/routes/*.ts`; the integration document is imported from its schema as a type only,
 * so nothing of the server ends up in the bundle.
 */
import type { IntegrationInput } from '../../src/integrations/schema.ts';

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

export interface StoredIntegration {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly document: IntegrationInput;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const runStates = ['queued', 'running', 'succeeded', 'completed_with_errors', 'failed', 'canceled'] as const;
export type RunState = (typeof runStates)[number] | (string & {});

export interface Counts {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly failed: number;
}

export interface Run {
  readonly id: string;
  readonly integrationId: string | null;
  readonly integrationName: string;
  readonly state: RunState;
  readonly dryRun: boolean;
  readonly trigger: string;
  readonly counts: Counts;
  readonly saasCounts: Counts;
  readonly phase: string | null;
  readonly phaseTotal: number | null;
  readonly error: string | null;
  readonly fuseReason: string | null;
  readonly queuedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly cancelRequested: boolean;
}

export interface RunRecord {
  readonly seq: number;
  readonly kind: 'user' | 'saas';
  readonly sourceId: string | null;
  readonly label: string;
  readonly outcome: string;
  readonly reason: string | null;
  readonly destinationId: string | null;
  readonly changes: readonly { readonly field: string; readonly old: unknown; readonly new: unknown }[];
}

export interface CatalogueField {
  readonly key: string;
  readonly label: string;
  readonly type: string;
  readonly description: string;
}

export const terminalStates: ReadonlySet<string> = new Set(['succeeded', 'completed_with_errors', 'failed', 'canceled']);
