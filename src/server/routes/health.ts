/**
 * Liveness, readiness and Prometheus metrics. `/healthz` says the process answers (and which version it runs); `/readyz` that
 * the database answers too; `/metrics` is the text exposition format.
 */
import { sql } from 'kysely';

import { version } from '../../version.ts';
import { renderMetrics } from '../metrics.ts';

import type { RouteKit } from '../route-kit.ts';

export function registerHealthRoutes({ app, context }: RouteKit): void {
  app.get('/healthz', async function healthz() {
    return { status: 'ok', version };
  });
  app.get('/readyz', async function readyz(_request, reply) {
    try {
      await sql`select 1`.execute(context.db);
      return { status: 'ready', database: context.dialect };
    } catch {
      return reply.code(503).send({ status: 'not_ready', database: context.dialect, reason: 'the database does not answer' });
    }
  });
  app.get('/metrics', async function metrics(_request, reply) {
    return reply.type('text/plain; version=0.0.4').send(await renderMetrics(context.db));
  });
}
