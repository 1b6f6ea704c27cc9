/**
 * Who is calling: a person with a browser session, or a script with an API token. Both carry a role.
 */
import type { ApiToken } from '../../accounts/api-tokens.ts';
import type { AppUser } from '../../accounts/users.ts';
import type { AppRole } from '../../db/types-accounts.ts';

export type Role = AppRole;

export type Principal =
  | { readonly kind: 'session'; readonly role: Role; readonly user: AppUser; readonly csrfToken: string; readonly sessionIdHash: string }
  | { readonly kind: 'token'; readonly role: Role; readonly token: ApiToken };

export function principalName(principal: Principal): string {
  return principal.kind === 'session' ? principal.user.email : `token ${principal.token.name}`;
}
