/**
 * The server's settings, read from the environment once at start-up, validated, and frozen. A bad
 * value stops the start with the variable's name and the fix, never a stack trace.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | HOST | address to listen on | 127.0.0.1 |
 * | PORT | port to listen on (`--port`) | 8080 |
 * | PUBLIC_URL | URL people and NinjaOne reach this server at; the OAuth redirect is `<PUBLIC_URL>/oauth2/redirect` | http://127.0.0.1:PORT |
 * | DATA_DIR | folder for the SQLite database and the key file (`--data-dir`) | ./data |
 * | DATABASE_URL | `postgres://…` to use PostgreSQL instead of SQLite | (SQLite) |
 * | DATABASE_POOL_SIZE | PostgreSQL connections a process keeps at most (server or worker) | 10 |
 * | NINJA_SYNC_KEY | vault key, 32 bytes as base64 or hex | (key file) |
 * | NINJA_SYNC_PREVIOUS_KEYS | older vault keys, comma-separated, while a rotation is under way | (none) |
 * | NINJA_SYNC_KEY_FILE | vault key file | DATA_DIR/vault.key |
 * | SMTP_URL | `smtp://user:pass@host:port` or `smtps://…` for e-mail alerts | (no e-mail) |
 * | SMTP_FROM | sender address of alert e-mails | ninja-sync@localhost |
 * | LOG_LEVEL | fatal, error, warn, info, debug, trace | info |
 * | NINJA_SYNC_PREVIEW_EXPRESSION_MS | time the expressions and regexes of one preview may take in all (milliseconds) | 5000 |
 * | NINJA_SYNC_RUN_EXPRESSION_MS | time the expressions and regexes of one run may take in all (milliseconds) | 60000 |
 * | NINJA_SYNC_EXPRESSION_MEMORY_MB | heap of the worker thread that evaluates them (megabytes) | 256 |
 * | TRUST_PROXY | the reverse proxy's addresses (`127.0.0.1`, `10.0.0.0/8`, comma-separated) or its number of hops, whose X-Forwarded-For/-Proto are believed | (none) |
 *
 * @example
 * const config = loadConfig(process.env, { port: 9090 });
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`the configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const portHint = 'use a port number from 0 to 65535, e.g. 8080';

/** A whole number from the environment, whose every refusal says what to write (`unit`: "megabytes, e.g. 256"). */
function wholeNumber(unit: string) {
  const hint = `use a whole number of ${unit}`;
  return z.coerce.number({ message: hint }).int(hint);
}

const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number({ message: portHint }).int(portHint).min(0, portHint).max(65535, portHint).default(8080),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'use a postgres:// URL, or leave it unset for SQLite')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce
    .number({ message: 'use a whole number of connections, e.g. 10' })
    .int('use a whole number of connections, e.g. 10')
    .min(1, 'use at least 1 connection')
    .max(1000, 'use at most 1000 connections (PostgreSQL itself allows 100 by default)')
    .default(10),
  NINJA_SYNC_KEY: z.string().min(1).optional(),
  NINJA_SYNC_PREVIOUS_KEYS: z.string().min(1).optional(),
  NINJA_SYNC_KEY_FILE: z.string().min(1).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'use smtp://host:port or smtps://host:port')
    .optional(),
  SMTP_FROM: z.string().min(3).default('ninja-sync@localhost'),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  TRUST_PROXY: z.string().optional(),
  NINJA_SYNC_ALLOW_PRIVATE_HOSTS: z.enum(['true', 'false'], { message: 'use true or false' }).default('false'),
  NINJA_SYNC_RUNS_IN: z.enum(['thread', 'inline'], { message: 'use thread or inline' }).default('thread'),
  NINJA_SYNC_RUN_MEMORY_MB: wholeNumber('megabytes, e.g. 2048').min(32, 'at least 32').max(65_536, 'at most 65536').default(2_048),
});

const limitsSchema = z.object({
  NINJA_SYNC_PREVIEW_EXPRESSION_MS: wholeNumber('milliseconds, e.g. 5000')
    .min(10, 'at least 10 milliseconds')
    .max(600_000, 'at most 600000 (10 minutes)')
    .default(5_000),
  NINJA_SYNC_RUN_EXPRESSION_MS: wholeNumber('milliseconds, e.g. 60000')
    .min(10, 'at least 10 milliseconds')
    .max(86_400_000, 'at most 86400000 (a day)')
    .default(60_000),
  NINJA_SYNC_EXPRESSION_MEMORY_MB: wholeNumber('megabytes, e.g. 256').min(16, 'at least 16').max(16_384, 'at most 16384').default(256),
});

const fileRunSchema = limitsSchema.extend({ NINJA_SYNC_ALLOW_PRIVATE_HOSTS: envSchema.shape.NINJA_SYNC_ALLOW_PRIVATE_HOSTS });

/**
 * What user-written expressions and regexes may use (`src/mapping/sandbox/`): time per preview and
 * per run, all evaluations together, and the heap of the worker thread they run in.
 */
export interface ExpressionLimits {
  readonly previewMs: number;
  readonly runMs: number;
  readonly memoryMb: number;
}

function present(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  // An empty variable counts as unset, as shells and .env files often leave them.
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

function configError(error: z.ZodError): ConfigError {
  return new ConfigError(error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`));
}

/**
 * The expression limits from the environment, for the entry points that read no full config
 * (`ninja-sync run`, the agent); throws ConfigError naming a bad variable.
 *
 * @example
 * readExpressionLimits({ NINJA_SYNC_RUN_EXPRESSION_MS: '5000' }).runMs; // 5000
 */
export function readExpressionLimits(env: Readonly<Record<string, string | undefined>>): ExpressionLimits {
  const parsed = limitsSchema.safeParse(present(env));
  if (!parsed.success) throw configError(parsed.error);
  return Object.freeze({
    previewMs: parsed.data.NINJA_SYNC_PREVIEW_EXPRESSION_MS,
    runMs: parsed.data.NINJA_SYNC_RUN_EXPRESSION_MS,
    memoryMb: parsed.data.NINJA_SYNC_EXPRESSION_MEMORY_MB,
  });
}

/**
 * What `ninja-sync run` reads from its environment (it reads no full config): the expression limits
 * of its run, and NINJA_SYNC_ALLOW_PRIVATE_HOSTS checked (`src/http/vendor-hosts.ts` reads it, and
 * would take "yes" as false); throws ConfigError naming every bad variable.
 *
 * @example
 * readFileRunSettings({ NINJA_SYNC_RUN_EXPRESSION_MS: '5000' }).expressionLimits.runMs; // 5000
 */
export function readFileRunSettings(env: Readonly<Record<string, string | undefined>>): { readonly expressionLimits: ExpressionLimits } {
  const parsed = fileRunSchema.safeParse(present(env));
  if (!parsed.success) throw configError(parsed.error);
  return Object.freeze({ expressionLimits: readExpressionLimits(env) });
}

/**
 * What `ninja-sync agent` reads from its environment: what `run` does, and its log level.
 *
 * @example
 * readAgentSettings({ LOG_LEVEL: 'debug' }).logLevel; // 'debug'
 */
export function readAgentSettings(env: Readonly<Record<string, string | undefined>>): {
  readonly logLevel: (typeof logLevels)[number];
  readonly expressionLimits: ExpressionLimits;
} {
  const parsed = z.object({ LOG_LEVEL: envSchema.shape.LOG_LEVEL }).extend(fileRunSchema.shape).safeParse(present(env));
  if (!parsed.success) throw configError(parsed.error);
  return Object.freeze({ logLevel: parsed.data.LOG_LEVEL, expressionLimits: readExpressionLimits(env) });
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: URL;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL pool size of this process. */
  readonly databasePoolSize: number;
  readonly vaultKey: string | undefined;
  readonly vaultPreviousKeys: string | undefined;
  readonly vaultKeyFile: string | undefined;
  readonly smtpUrl: string | undefined;
  readonly smtpFrom: string;
  readonly logLevel: (typeof logLevels)[number];
  /** Vendor URLs may name IP addresses and hosts on this machine or a private network (emulators). */
  readonly allowPrivateHosts: boolean;
  /** Cookies get `Secure` when the public URL is https. */
  readonly secureCookies: boolean;
  /** Whose X-Forwarded-* headers to believe: nobody (false), proxy addresses/CIDRs, or a hop count. */
  readonly trustProxy: false | number | readonly string[];
  readonly expressionLimits: ExpressionLimits;
  /**
   * Where `serve` runs syncs: in a worker thread of their own (the default), so the API never waits
   * on a run, or on the API's own event loop (`inline`: to compare, or to debug).
   */
  readonly runsIn: 'thread' | 'inline';
  /** Heap (MB) of the runs' thread: a run that needs more fails with the reason, the server goes on. */
  readonly runMemoryMb: number;
}

export interface ConfigOverrides {
  readonly port?: number | undefined;
  readonly dataDir?: string | undefined;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>, overrides: ConfigOverrides = {}): Config {
  const parsed = envSchema.extend(limitsSchema.shape).safeParse(present(env));
  if (!parsed.success) throw configError(parsed.error);
  const values = parsed.data;
  const trustProxy = parseTrustProxy(values.TRUST_PROXY);
  const port = overrides.port ?? values.PORT;
  const publicUrl = new URL(values.PUBLIC_URL ?? `http://${values.HOST === '0.0.0.0' ? '127.0.0.1' : values.HOST}:${port}`);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new ConfigError([`PUBLIC_URL: give the origin only, e.g. ${publicUrl.origin} (ninja-sync serves at the root)`]);
  }
  return Object.freeze({
    host: values.HOST,
    port,
    publicUrl,
    dataDir: resolve(overrides.dataDir ?? values.DATA_DIR),
    databaseUrl: values.DATABASE_URL,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    vaultKey: values.NINJA_SYNC_KEY,
    vaultPreviousKeys: values.NINJA_SYNC_PREVIOUS_KEYS,
    vaultKeyFile: values.NINJA_SYNC_KEY_FILE,
    smtpUrl: values.SMTP_URL,
    smtpFrom: values.SMTP_FROM,
    logLevel: values.LOG_LEVEL,
    allowPrivateHosts: values.NINJA_SYNC_ALLOW_PRIVATE_HOSTS === 'true',
    secureCookies: publicUrl.protocol === 'https:',
    trustProxy,
    expressionLimits: readExpressionLimits(env),
    runsIn: values.NINJA_SYNC_RUNS_IN,
    runMemoryMb: values.NINJA_SYNC_RUN_MEMORY_MB,
  });
}

/**
 * `TRUST_PROXY`: the addresses (or CIDR ranges) of the reverse proxies in front, or how many proxy
 * hops there are. Not `true`: believing X-Forwarded-For from anyone lets any client pick the address
 * that sign-in throttling counts.
 */
function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => {
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    return family === 0 || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits));
  });
  if (bad.length > 0 || entries.length === 0) {
    throw new ConfigError([
      `TRUST_PROXY: '${bad.join(', ')}' is not an IP address or CIDR range; give the reverse proxy's address, e.g. 127.0.0.1 or 10.0.0.0/8 (comma-separated), or its number of hops, e.g. 1`,
    ]);
  }
  return entries;
}

/** Where NinjaOne sends the admin back after consent. Register exactly this in NinjaOne. */
export function oauthRedirectUrl(config: Pick<Config, 'publicUrl'>): string {
  return new URL('/oauth2/redirect', config.publicUrl).toString();
}
