/**
 * Client apps registered on the emulated NinjaOne instance (Administration → Apps → API → Client
 * App IDs). The defaults are fixed demo credentials, safe to print: they open nothing but the
 * emulator.
 *
 * @example
 * const apps = defaultClientApps(['http://127.0.0.1:3000/oauth2/redirect']);
 * apps[0].clientId; // 'demo-web'
 */

export const platforms = ['web', 'native', 'spa', 'api_services'] as const;
export type Platform = (typeof platforms)[number];
export const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials', 'implicit'] as const;
export type GrantType = (typeof grantTypes)[number];
/** The API scopes an app can have; `offline_access` is requested on top to get a refresh token. */
export const apiScopes = ['monitoring', 'management', 'control'] as const;

export interface ClientApp {
  name: string;
  clientId: string;
  clientSecret: string;
  platform: Platform;
  grants: GrantType[];
  scopes: string[];
  /** Exact-match redirect URIs (trailing slash and case included). */
  redirectUris: string[];
}

export const demoWebClient = { clientId: 'demo-web', clientSecret: 'demo-web-secret' } as const;
export const demoM2mClient = { clientId: 'demo-m2m', clientSecret: 'demo-m2m-secret' } as const;

/** The two demo apps: a Web app for the authorization-code flow and an API Services app for client credentials. */
export function defaultClientApps(redirectUris: readonly string[] = []): ClientApp[] {
  return [
    {
      name: 'ninja-sync demo (Web)',
      ...demoWebClient,
      platform: 'web',
      grants: ['authorization_code', 'refresh_token'],
      scopes: [...apiScopes],
      redirectUris: [...redirectUris],
    },
    {
      name: 'ninja-sync demo (API Services)',
      ...demoM2mClient,
      platform: 'api_services',
      grants: ['client_credentials'],
      scopes: [...apiScopes],
      redirectUris: [],
    },
  ];
}

/** Public clients (no secret kept) may authenticate with the client id alone. */
export function isPublicClient(app: ClientApp): boolean {
  return app.platform === 'native' || app.platform === 'spa';
}

/**
 * Whether a redirect URI is registered on the app. Exact match, trailing slash and case included
 * (`http://localhost/` is not `http://localhost`), except that a Native app registered with a
 * loopback IP and no port accepts any port there (RFC 8252 §7.3, as NinjaOne does for
 * `http://127.0.0.1`); `localhost` stays a different host.
 */
export function redirectUriAllowed(app: ClientApp, uri: string): boolean {
  if (app.redirectUris.includes(uri)) return true;
  if (app.platform !== 'native' || !URL.canParse(uri)) return false;
  const given = new URL(uri);
  if (given.protocol !== 'http:' || (given.hostname !== '127.0.0.1' && given.hostname !== '[::1]') || given.port === '') return false;
  const withoutPort = `${given.protocol}//${given.hostname}`;
  const rest = uri.slice(`${withoutPort}:${given.port}`.length);
  return app.redirectUris.some((registered) => registered === `${withoutPort}${rest}` || (rest === '/' && registered === withoutPort));
}
