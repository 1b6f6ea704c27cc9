/**
 * Tables of migration 0002: people, sessions, API tokens, NinjaOne credentials, OAuth states and
 * Oomnitza connections. Same portable types as `types.ts`.
 */
import type { IntBool, IsoTimestamp } from './column-types.ts';

export const appRoles = ['admin', 'viewer'] as const;
export type AppRole = (typeof appRoles)[number];

export const credentialStatuses = ['pending', 'active', 'needs_reauth', 'failing'] as const;
export type CredentialStatus = (typeof credentialStatuses)[number];

export const grantTypes = ['authorization_code', 'client_credentials'] as const;
export type GrantType = (typeof grantTypes)[number];

export interface AppUsersTable {
  id: string;
  email: string;
  name: string;
  role: AppRole;
  password_hash: string;
  created_at: IsoTimestamp;
  last_login_at: IsoTimestamp | null;
  /** 0008: set while the person may not sign in. */
  disabled_at: IsoTimestamp | null;
}

export interface SessionsTable {
  /** SHA-256 of the session id in the cookie. */
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: IsoTimestamp;
  expires_at: IsoTimestamp;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  hint: string;
  role: AppRole;
  created_by: string | null;
  created_at: IsoTimestamp;
  last_used_at: IsoTimestamp | null;
  revoked_at: IsoTimestamp | null;
}

export interface LoginAttemptsTable {
  key: string;
  failures: number;
  window_started_at: IsoTimestamp;
  locked_until: IsoTimestamp | null;
}

export interface CredentialsTable {
  id: string;
  name: string;
  url: string;
  client_id: string;
  client_secret_sealed: string;
  client_secret_hint: string;
  /** Space-separated, as asked for (without offline_access, which is added for the code grant). */
  scopes: string;
  grant_type: GrantType;
  allow_insecure_http: IntBool;
  status: CredentialStatus;
  status_reason: string | null;
  granted_scopes: string | null;
  access_token_sealed: string | null;
  access_expires_at: IsoTimestamp | null;
  refresh_token_sealed: string | null;
  /** Bumped on every token write; a refresh that lost a race sees it moved. */
  token_version: number;
  last_refreshed_at: IsoTimestamp | null;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}

export interface OAuthStatesTable {
  /** SHA-256 of the `state` sent to NinjaOne. */
  state_hash: string;
  credential_id: string;
  /** The admin session that started the flow: the redirect must come back to the same one. */
  session_hash: string;
  code_verifier_sealed: string;
  redirect_uri: string;
  created_at: IsoTimestamp;
  expires_at: IsoTimestamp;
  used_at: IsoTimestamp | null;
}

export interface OomnitzaConnectionsTable {
  id: string;
  name: string;
  url: string;
  api_token_sealed: string;
  api_token_hint: string;
  allow_insecure_http: IntBool;
  status: 'untested' | 'ok' | 'failing';
  status_reason: string | null;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}

/** 0004: the users data model last read from a connection's instance. */
export interface OomnitzaDataModelsTable {
  connection_id: string;
  available: IntBool;
  /** `OomnitzaFieldInfo[]` as JSON text when available. */
  fields: string | null;
  reason: string | null;
  fetched_at: IsoTimestamp;
}

export interface AccountsTables {
  app_users: AppUsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  credentials: CredentialsTable;
  oauth_states: OAuthStatesTable;
  oomnitza_connections: OomnitzaConnectionsTable;
  oomnitza_data_models: OomnitzaDataModelsTable;
}
