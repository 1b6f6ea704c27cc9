/**
 * The web UI: the built app from `web/dist` (`npm run build:web`), index.html for every screen path
 * so that a reload or a link such as /credentials/:id lands on its screen, the hashed assets under
 * /assets/, and `GET /api/catalogue` (the NinjaOne fields a mapping can read) for the mapping page.
 * API, OAuth, health and metrics paths are never answered with the page: only the screen paths
 * below are, and any other path a browser asks for as a page (Accept: text/html), with status 404,
 * so the app shows its own "not found" screen with the menu instead of raw JSON.
 *
 * @example
 * await buildApp(context, [...serverRoutes, registerWebRoutes]);
 * // or, with a UI built elsewhere:
 * await buildApp(context, [createWebRoutes({ distDir: '/tmp/web-dist' })]);
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';

import { catalogueContracts } from '../../contracts/catalogue.ts';
import { catalogue } from '../../mapping/catalogue.ts';
import { errorBody } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { FastifyReply } from 'fastify';
import type { RouteKit, RouteModule } from '../route-kit.ts';

/** Where `npm run build:web` puts the app. */
export const defaultWebDist = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** The client-side screens; each answers index.html. */
export const screenPaths = [
  '/',
  '/setup',
  '/login',
  '/credentials',
  '/credentials/:id',
  '/integrations',
  '/integrations/:id',
  '/integrations/:id/:tab',
  '/runs',
  '/runs/:id',
  '/people',
  '/agents',
] as const;

/** Paths for programs, never answered with the app's page. */
const machinePath = /^\/(api|oauth2|assets|__admin)(\/|$)|^\/(healthz|readyz|metrics)$/;

const missingBuildPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ninja-sync</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d2939}code{background:#f2f4f7;padding:.1rem .3rem}</style>
</head><body><h1>The web UI is not built</h1>
<p>This server has no built UI to show. Run <code>npm run build:web</code> in the ninja-sync folder, then reload this page.</p>
<p>The REST API works without it: see <a href="/api/docs">/api/docs</a>.</p></body></html>`;

export interface WebRoutesOptions {
  /** The folder with index.html and assets/; default web/dist of this checkout. */
  readonly distDir?: string;
}

export function createWebRoutes(options: WebRoutesOptions = {}): RouteModule {
  const distDir = options.distDir ?? defaultWebDist;
  return function registerWebRoutesIn({ app, registry, authorize }: RouteKit): void {
    defineRoute(app, registry, authorize, {
      ...catalogueContracts.list,
      access: 'viewer',
      handler: async () => ({
        fields: catalogue.map(({ key, label, type, description, values }) => ({
          key,
          label,
          type,
          description,
          ...(values ? { values: [...values] } : {}),
        })),
      }),
    });

    const assets = join(distDir, 'assets');
    if (existsSync(assets)) {
      // Hashed file names: safe to cache for long.
      void app.register(fastifyStatic, {
        root: assets,
        prefix: '/assets/',
        decorateReply: false,
        index: false,
        maxAge: '365d',
        immutable: true,
      });
    }

    const indexFile = join(distDir, 'index.html');
    const sendIndex = async (reply: FastifyReply, status = 200): Promise<FastifyReply> => {
      void reply
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'same-origin');
      let html: string;
      try {
        // Read per request: a rebuild shows without a restart, and the file is small.
        html = await readFile(indexFile, 'utf8');
      } catch {
        return reply.code(503).type('text/html; charset=utf-8').send(missingBuildPage);
      }
      return reply.code(status).type('text/html; charset=utf-8').send(html);
    };
    for (const url of screenPaths) {
      app.get(url, async function webScreen(_request, reply) {
        return sendIndex(reply);
      });
    }
    // Every other GET: a browser's page request gets the app (which says "not found"), with 404;
    // the machine paths and anything not asking for HTML keep the JSON answer.
    app.get('/*', async function webNotFound(request, reply) {
      const path = request.url.split('?')[0] ?? '/';
      const accept = String(request.headers.accept ?? '');
      if (!machinePath.test(path) && accept.includes('text/html')) return sendIndex(reply, 404);
      return reply.code(404).send(errorBody('not_found', `no route GET ${path}`));
    });
  };
}

/** The web UI from web/dist; add to the server's route modules. */
export const registerWebRoutes: RouteModule = createWebRoutes();
