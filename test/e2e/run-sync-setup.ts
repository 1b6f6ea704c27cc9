/**
 * For tests only: one real sync's parts — integration, compiled mapping, NinjaOne source, Oomnitza
 * client — pointed at running emulators. Shared by the end-to-end test and the child process it
 * kills mid-run, so both run exactly the same sync.
 *
 * @example
 * const parts = syncParts({ ninjaOneUrl: ninja.url, oomnitzaUrl: oomnitza.url, apiToken: oomnitza.apiToken });
 * await runSync({ ...parts, reporter, dryRun: false });
 */
import { integrationSchema } from '../../src/integrations/schema.ts';
import { compileMapping } from '../../src/mapping/compile.ts';
import { createNinjaOneClient } from '../../src/ninjaone/client.ts';
import { createNinjaOneSource } from '../../src/ninjaone/source.ts';
import { createTokenProvider } from '../../src/ninjaone/token-provider.ts';
import { parseNinjaOneUrl } from '../../src/ninjaone/url.ts';
import { createOomnitzaClient } from '../../src/oomnitza/client.ts';

import type { Integration } from '../../src/integrations/schema.ts';
import type { CompiledMapping } from '../../src/mapping/compile.ts';
import type { UserSource } from '../../src/mapping/source-record.ts';
import type { OomnitzaClient } from '../../src/oomnitza/client.ts';
import type { RecordOutcome, RunPhase, RunReporter } from '../../src/sync/ports.ts';

export interface SyncParts {
  readonly integration: Integration;
  readonly compiled: CompiledMapping;
  readonly source: UserSource;
  readonly destination: OomnitzaClient;
}

const fastRetry = { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 100 };

export function syncParts(options: {
  readonly ninjaOneUrl: string;
  readonly oomnitzaUrl: string;
  readonly apiToken: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly recordType?: Integration['recordType'];
}): SyncParts {
  const integration = integrationSchema.parse({
    name: 'NinjaOne users (e2e)',
    source: { url: options.ninjaOneUrl, clientId: options.clientId, clientSecret: options.clientSecret },
    destination: { url: options.oomnitzaUrl, apiToken: options.apiToken },
    allowInsecureHttp: true,
    recordType: options.recordType ?? 'user',
    syncKeys: ['email'],
    mapping: {
      email: { field: 'email', transform: ['trim', 'lower'] },
      username: { field: 'email', transform: ['trim', 'lower'] },
      first_name: { field: 'firstName', transform: ['trim'] },
      last_name: { field: 'lastName', transform: ['trim'] },
      phone_number: 'phone',
    },
  });
  const parsed = parseNinjaOneUrl(options.ninjaOneUrl, { allowInsecureHttp: true });
  if (!parsed.ok) throw new Error(`bad NinjaOne emulator URL ${options.ninjaOneUrl}`);
  const tokens = createTokenProvider({
    origin: parsed.url,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    grant: 'client_credentials',
    scopes: 'monitoring management',
    retry: fastRetry,
  });
  return {
    integration,
    compiled: compileMapping(integration),
    source: createNinjaOneSource(createNinjaOneClient({ origin: parsed.url, tokens, retry: fastRetry })),
    destination: createOomnitzaClient({
      baseUrl: options.oomnitzaUrl,
      apiToken: options.apiToken,
      allowInsecureHttp: true,
      retry: fastRetry,
    }),
  };
}

/** A reporter that keeps everything, for assertions. */
export function collectingReporter(): RunReporter & { readonly outcomes: RecordOutcome[]; readonly phases: RunPhase[] } {
  const outcomes: RecordOutcome[] = [];
  const phases: RunPhase[] = [];
  return {
    outcomes,
    phases,
    phase(phase) {
      phases.push(phase);
    },
    async records(batch) {
      outcomes.push(...batch);
    },
  };
}
