/**
 * The NinjaOne API emulator: OAuth 2 (`/ws/oauth/authorize`, `/ws/oauth/token`), the API v2
 * endpoints a user sync reads (also under `/api/v2`), the shared knobs (latency, rate limits,
 * faults, request log) and an admin API under `/__admin`. Built from `../shared/reference/
 * ninjaone-api.md`; strict where NinjaOne is strict, odd where it is odd.
 *
 * Demo credentials (fixed, safe to print; they open only the emulator):
 * - `demo-web` / `demo-web-secret`: Web app, authorization_code + refresh_token, all scopes.
 * - `demo-m2m` / `demo-m2m-secret`: API Services app, client_credentials, all scopes.
 *
 * @example
 * const emulator = await startNinjaOneEmulator({ seed: 7, users: 40, autoApprove: true });
 * emulator.addRedirectUri('demo-web', 'http://127.0.0.1:3000/oauth2/redirect');
 * // ... point a client at emulator.url ...
 * await emulator.close();
 */
import { createHash, randomUUID } from 'node:crypto';
import Fastify from 'fastify';

import { createKnobs, installKnobs } from '../common/knobs.ts';
import { generateWorld, loadWorld } from '../common/world.ts';
import { adminRoutes } from './admin-routes.ts';
import { apiRoutes } from './api-routes.ts';
import { defaultClientApps } from './client-apps.ts';
import { appError, failureBody } from './errors.ts';
import { authorizeRoutes } from './oauth-authorize.ts';
import { createOAuthStore } from './oauth-store.ts';
import { tokenRoutes } from './oauth-token.ts';

import type { Knobs, KnobSettings } from '../common/knobs.ts';
import type { NinjaOneWorld } from '../common/world.ts';
import type { ClientApp } from './client-apps.ts';

export type { FaultKind, FaultRule, Knobs, KnobSettings, LoggedRequest } from '../common/knobs.ts';
export type { NinjaOneWorld } from '../common/world.ts';
export type { ClientApp, GrantType, Platform } from './client-apps.ts';
export { apiScopes, defaultClientApps, demoM2mClient, demoWebClient } from './client-apps.ts';

export interface NinjaOneEmulatorOptions {
  /** Loopback only; 127.0.0.1 by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Seed of the generated world and of probabilistic faults; 1 by default. */
  seed?: number;
  /** Number of users in the generated world; 40 by default. */
  users?: number;
  /**
   * A world to serve instead of a generated one (e.g. from `loadWorldFile`). It is validated and
   * copied: change `emulator.world` afterwards, not the object passed here.
   */
  world?: NinjaOneWorld;
  accessTokenTtlSeconds?: number;
  codeTtlSeconds?: number;
  /** Issue a new refresh token on every refresh and spend the old one; true by default. */
  rotateRefreshTokens?: boolean;
  /** Skip the consent page and redirect with a code straight away; false by default. */
  autoApprove?: boolean;
  /** Registered client apps; the two demo apps by default. */
  clientApps?: ClientApp[];
  knobs?: Partial<KnobSettings>;
}

export interface NinjaOneEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly knobs: Knobs;
  readonly clientApps: readonly ClientApp[];
  /** The live world the API serves; change it between requests to change the answers. */
  readonly world: NinjaOneWorld;
  /** Registers one more exact-match redirect URI on a client app. */
  addRedirectUri(clientId: string, uri: string): void;
  close(): Promise<void>;
}

/** A short fingerprint of the Authorization header: rate limits count per token, the log never holds one. */
function tokenFingerprint(header: string | undefined): string | null {
  if (!header) return null;
  return `tok_${createHash('sha256').update(header).digest('hex').slice(0, 12)}`;
}

export async function startNinjaOneEmulator(options: NinjaOneEmulatorOptions = {}): Promise<NinjaOneEmulator> {
  const seed = options.seed ?? 1;
  const world = options.world ? loadWorld(options.world) : generateWorld({ seed, users: options.users ?? 40 });
  const clientApps = (options.clientApps ?? defaultClientApps()).map((app) => ({
    ...app,
    grants: [...app.grants],
    scopes: [...app.scopes],
    redirectUris: [...app.redirectUris],
  }));
  const knobs = createKnobs({ seed, settings: { ...options.knobs, faults: [...(options.knobs?.faults ?? [])] } });
  const store = createOAuthStore({
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    codeTtlSeconds: options.codeTtlSeconds ?? 60,
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
  });
  const autoApprove = options.autoApprove ?? false;

  function addRedirectUri(clientId: string, uri: string): void {
    const app = clientApps.find((candidate) => candidate.clientId === clientId);
    if (!app)
      throw new Error(`No client app ${clientId}; the emulator has ${clientApps.map((candidate) => candidate.clientId).join(', ')}`);
    if (!app.redirectUris.includes(uri)) app.redirectUris.push(uri);
  }

  // Hung requests (a knob) would keep close() waiting; closing drops open connections instead.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  installKnobs(app, knobs, {
    tokenOf: (request) => tokenFingerprint(request.headers.authorization),
    failureBody,
    rateLimitBody: () => appError('TOO_MANY_REQUESTS', 'Rate limit exceeded'),
  });
  app.addHook('onSend', async function requestId(request, reply) {
    if (!request.url.startsWith('/__admin')) void reply.header('x-nj-request-id', randomUUID());
  });
  app.setNotFoundHandler(async function notFound(request, reply) {
    return reply.code(404).send(appError('NOT_FOUND', `No endpoint ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });

  await app.register(authorizeRoutes, { apps: clientApps, store, autoApprove: () => autoApprove });
  await app.register(tokenRoutes, { apps: clientApps, store });
  await app.register(apiRoutes, { prefix: '/v2', world, store });
  await app.register(apiRoutes, { prefix: '/api/v2', world, store });
  await app.register(adminRoutes, { prefix: '/__admin', knobs, world, store, apps: clientApps, addRedirectUri });

  try {
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('NinjaOne emulator did not get a TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    knobs,
    clientApps,
    world,
    addRedirectUri,
    close: () => app.close(),
  };
}
