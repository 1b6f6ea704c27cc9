/**
 * Scope parsing and checks shared by the authorize and token endpoints.
 *
 * @example
 * parseScopes('monitoring  management'); // ['monitoring', 'management']
 */
import { OAuthError } from './errors.ts';

import type { ClientApp } from './client-apps.ts';

export const offlineAccess = 'offline_access';

export function parseScopes(scope: string | undefined): string[] | null {
  if (scope === undefined) return null;
  const scopes = scope.split(/\s+/).filter((part) => part.length > 0);
  return [...new Set(scopes)];
}

/**
 * Scopes an app may get: its own API scopes, plus `offline_access` when it may hold a refresh token
 * at all (apps without the refresh grant simply get no refresh token; see the token endpoint).
 */
export function checkScopes(app: ClientApp, scopes: readonly string[]): void {
  const unknown = scopes.filter((scope) => scope !== offlineAccess && !app.scopes.includes(scope));
  if (unknown.length > 0) throw new OAuthError('invalid_scope', `Scope not enabled for this client app: ${unknown.join(' ')}`);
}
