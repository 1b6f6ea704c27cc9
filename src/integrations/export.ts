/**
 * Writes an integration back out as YAML for `ninja-sync run --config`, the export button and the
 * API, without secrets: an inline client secret, refresh token or API token becomes a `${VAR}`
 * placeholder, so the exported file can be shared and committed. Any other `${` in a value is
 * escaped as `$${`, so loading the export gives back the same values.
 *
 * @example
 * const text = exportIntegrationYaml(integration);
 * // source:
 * //   clientSecret: ${NINJAONE_CLIENT_SECRET}
 */
import { stringify } from 'yaml';

import { escapeReferences } from './env-substitution.ts';

import type { Integration, IntegrationInput } from './schema.ts';

/** The environment variable each secret is exported as. */
export const secretPlaceholders = {
  'source.clientSecret': 'NINJAONE_CLIENT_SECRET',
  'source.refreshToken': 'NINJAONE_REFRESH_TOKEN',
  'destination.apiToken': 'OOMNITZA_API_TOKEN',
} as const;

export interface ExportOptions {
  /** Variable names to use instead of the defaults above, e.g. per integration. */
  readonly placeholders?: Partial<Record<keyof typeof secretPlaceholders, string>>;
}

export function exportIntegrationYaml(integration: Integration | IntegrationInput, options: ExportOptions = {}): string {
  // A secret already named by reference (a Local integration's `${OOMNITZA_TOKEN_B}`) keeps its name.
  const named = (value: string | undefined) => /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value ?? '')?.[1];
  const own = {
    'source.clientSecret': named(integration.source.clientSecret),
    'source.refreshToken': named(integration.source.refreshToken),
    'destination.apiToken': named(integration.destination.apiToken),
  };
  const names = {
    ...secretPlaceholders,
    ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)),
    ...options.placeholders,
  } as Record<keyof typeof secretPlaceholders, string>;
  const copy = escapeAll(structuredClone(integration)) as IntegrationInput;
  // A Local integration's connection settings are resolved by its agent, and an import keeps them
  // as written: they go out unescaped, so `${NINJA_URL}` reads back as the same reference.
  const local = integration.installation === 'local';
  const source = local ? { ...integration.source } : { ...copy.source };
  const destination = local ? { ...integration.destination } : { ...copy.destination };
  // Secrets are replaced after escaping: the placeholder is the one `${` that must stay live.
  if (integration.source.clientSecret !== undefined) source.clientSecret = `\${${names['source.clientSecret']}}`;
  if (integration.source.refreshToken !== undefined) source.refreshToken = `\${${names['source.refreshToken']}}`;
  if (integration.destination.apiToken !== undefined) destination.apiToken = `\${${names['destination.apiToken']}}`;
  const header = `# ninja-sync integration "${integration.name.replaceAll('\n', ' ')}"\n# Secrets are read from the environment: ${Object.values(names).join(', ')}\n`;
  return header + stringify({ ...copy, source, destination }, { lineWidth: 0 });
}

function escapeAll(value: unknown): unknown {
  if (typeof value === 'string') return escapeReferences(value);
  if (Array.isArray(value)) return value.map(escapeAll);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeAll(v)]));
  return value;
}
