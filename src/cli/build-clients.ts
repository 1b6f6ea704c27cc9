/**
 * The NinjaOne source and the Oomnitza destination of a CLI run, built from an integration's inline
 * connection settings: client credentials, or a refresh token from the environment (its rotated
 * successor kept in the data folder), and the Oomnitza URL and API token.
 *
 * A `credential:` or `connection:` reference names something stored on the server; the CLI runs
 * files on their own, so it says so and what to write instead.
 *
 * @example
 * const clients = await buildClients(integration, { dataDir: './data', env: process.env, concurrency: 8 });
 * if (!clients.ok) console.error(clients.message);
 */
import { fileRunProblems } from '../integrations/file-run.ts';
import { createNinjaOneClient } from '../ninjaone/client.ts';
import { createNinjaOneSource } from '../ninjaone/source.ts';
import { createTokenProvider, type TokenProvider } from '../ninjaone/token-provider.ts';
import { parseNinjaOneUrl } from '../ninjaone/url.ts';
import { createOomnitzaClient, type OomnitzaClient } from '../oomnitza/client.ts';
import { openRefreshTokenStore } from './refresh-token-store.ts';

import type { RetryInfo } from '../http/send-json.ts';
import type { Integration } from '../integrations/schema.ts';
import type { UserSource } from '../mapping/source-record.ts';

export interface Clients {
  readonly ok: true;
  readonly source: UserSource;
  /** The NinjaOne origin the URL was normalised to, e.g. `https://eu.ninjarmm.com`. */
  readonly ninjaoneOrigin: URL;
  readonly destination: OomnitzaClient;
  readonly grant: 'client_credentials' | 'refresh_token';
}

export type BuildClientsResult = Clients | { readonly ok: false; readonly message: string };

export interface BuildClientsOptions {
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Oomnitza requests in flight at most. */
  readonly concurrency: number;
  /** Told about every retried request (never given a secret), for the run's summary. */
  readonly onRetry?: (info: RetryInfo) => void;
}

export async function buildClients(integration: Integration, options: BuildClientsOptions): Promise<BuildClientsResult> {
  const { source, destination, allowInsecureHttp } = integration;
  // The loader reports these with their lines first (`validate`, `run`); this is the last word for other callers.
  const missing = fileRunProblems(integration)[0];
  if (missing !== undefined)
    return { ok: false, message: `${[...missing.path, ...(missing.missing ? [missing.missing] : [])].join('.')}: ${missing.message()}` };
  if (source.url === undefined || source.clientId === undefined || destination.url === undefined || destination.apiToken === undefined)
    throw new Error('fileRunProblems let a file without its settings through'); // a bug: the checks above cover these

  const parsed = parseNinjaOneUrl(source.url, { allowInsecureHttp });
  if (!parsed.ok) return { ok: false, message: `source.url: ${parsed.message}` };
  const origin = parsed.url;
  const common = { origin, clientId: source.clientId, ...(source.clientSecret === undefined ? {} : { clientSecret: source.clientSecret }) };

  let tokens: TokenProvider;
  let grant: Clients['grant'];
  if (source.refreshToken !== undefined) {
    const original = source.refreshToken;
    const store = await openRefreshTokenStore({ dataDir: options.dataDir, env: options.env });
    tokens = createTokenProvider({
      ...common,
      grant: 'refresh_token',
      refreshToken: await store.latest(original),
      onRotate: async (next) => {
        if (next.rotated) await store.save(original, next.refreshToken);
      },
    });
    grant = 'refresh_token';
  } else {
    tokens = createTokenProvider({ ...common, grant: 'client_credentials', scopes: source.scopes });
    grant = 'client_credentials';
  }

  let oomnitza: OomnitzaClient;
  try {
    oomnitza = createOomnitzaClient({
      baseUrl: destination.url,
      apiToken: destination.apiToken,
      allowInsecureHttp,
      concurrency: options.concurrency,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
  } catch (error) {
    return { ok: false, message: `destination.url: ${error instanceof Error ? error.message : String(error)}` };
  }
  const ninjaone = createNinjaOneClient({ origin, tokens, ...(options.onRetry ? { onRetry: options.onRetry } : {}) });
  return { ok: true, source: createNinjaOneSource(ninjaone), ninjaoneOrigin: origin, destination: oomnitza, grant };
}
