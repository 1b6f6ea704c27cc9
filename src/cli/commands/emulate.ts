/**
 * `ninja-sync emulate`: starts the NinjaOne and Oomnitza emulators on loopback and prints their URLs
 * and demo credentials, then serves until SIGINT or SIGTERM. `--json` prints one line for scripts.
 *
 * The credentials printed are the emulators' own demo values, not secrets of any real tenant.
 *
 * @example
 * ninja-sync emulate --users 200 --latency 20 --fault status500:0.05 --json
 * ninja-sync emulate --tenants 100 --users 1000 --json   # an MSP's many tenants; the JSON lists each
 */
import { describeClientApps, type EmulatorTenant, type RunningEmulators, startEmulators } from '../emulators.ts';
import { exitCodes } from '../exit-codes.ts';

import type { FaultKind } from '../../../emulators/common/knobs.ts';
import type { CliIo } from '../io.ts';

export interface EmulateOptions {
  readonly seed: number;
  readonly users: number;
  /** Separate NinjaOne and Oomnitza tenants, each with `users` users (1 when absent). */
  readonly tenants?: number;
  readonly latency: number;
  readonly rateLimit: number;
  readonly maxConcurrent: number;
  readonly fault: readonly { readonly kind: FaultKind; readonly probability: number }[];
  readonly ninjaonePort: number;
  readonly oomnitzaPort: number;
  readonly json: boolean;
}

export async function emulateCommand(io: CliIo, options: EmulateOptions, stop: Promise<unknown> = untilSignal()): Promise<number> {
  let emulators: RunningEmulators;
  try {
    emulators = await startEmulators({
      seed: options.seed,
      users: options.users,
      tenants: options.tenants ?? 1,
      ninjaonePort: options.ninjaonePort,
      oomnitzaPort: options.oomnitzaPort,
    });
  } catch (error) {
    io.err(`ninja-sync emulate: could not start the emulators: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  }
  // Each tenant gets the same knobs; limits per token are per tenant, as at the vendors.
  for (const knobs of emulators.tenants.flatMap((tenant) => [tenant.ninjaone.knobs, tenant.oomnitza.knobs])) {
    knobs.settings.latencyMs = options.latency;
    knobs.settings.ratePerSecond = options.rateLimit;
    knobs.settings.maxConcurrent = options.maxConcurrent;
    for (const fault of options.fault) knobs.settings.faults.push({ kind: fault.kind, probability: fault.probability });
  }

  const apps = describeClientApps(emulators.ninjaone.clientApps);
  const m2m = apps.find((app) => app.grants.includes('client_credentials'));
  if (options.json) {
    io.out(
      `${JSON.stringify({
        ninjaone: { url: emulators.ninjaone.url, clientApps: apps, admin: `${emulators.ninjaone.url}/__admin` },
        oomnitza: { url: emulators.oomnitza.url, apiToken: emulators.oomnitza.apiToken, admin: `${emulators.oomnitza.url}/__admin` },
        seed: options.seed,
        users: options.users,
        tenants: emulators.tenants.map(describeTenant),
      })}\n`,
    );
  } else {
    const lines = [
      `NinjaOne emulator  ${emulators.ninjaone.url}   (${options.users} users, seed ${options.seed})`,
      ...apps.map((app) =>
        [
          `  client app ${app.name}`,
          `    client id      ${app.clientId}`,
          `    client secret  ${app.clientSecret}`,
          `    grants         ${app.grants.join(', ')}`,
          `    scopes         ${app.scopes.join(' ')}`,
          ...(app.redirectUris.length > 0 ? [`    redirect URIs  ${app.redirectUris.join(', ')}`] : []),
        ].join('\n'),
      ),
      `  admin API        ${emulators.ninjaone.url}/__admin`,
      '',
      `Oomnitza emulator  ${emulators.oomnitza.url}`,
      `  API token        ${emulators.oomnitza.apiToken}   (header Authorization2)`,
      `  admin API        ${emulators.oomnitza.url}/__admin`,
      '',
      `Knobs: latency ${options.latency} ms, rate limit ${options.rateLimit || 'none'}/s, max concurrent ${options.maxConcurrent || 'unlimited'}` +
        (options.fault.length > 0 ? `, faults ${options.fault.map((f) => `${f.kind}:${f.probability}`).join(', ')}` : ''),
      '',
      ...(emulators.tenants.length > 1
        ? [
            `${emulators.tenants.length} tenants, each with ${options.users} NinjaOne users (the first is the one above):`,
            ...emulators.tenants.map((tenant) => {
              const t = describeTenant(tenant);
              return `  tenant ${t.index}  NinjaOne ${t.ninjaone.url} (${t.ninjaone.clientId} / ${t.ninjaone.clientSecret})  Oomnitza ${t.oomnitza.url} (${t.oomnitza.apiToken})`;
            }),
            '',
          ]
        : []),
      'To sync between them with the example integration file, in another terminal:',
      `  export NINJAONE_URL=${emulators.ninjaone.url} NINJAONE_CLIENT_ID=${m2m?.clientId ?? 'demo-m2m'} NINJAONE_CLIENT_SECRET=${m2m?.clientSecret ?? 'demo-m2m-secret'}`,
      `  export OOMNITZA_URL=${emulators.oomnitza.url} OOMNITZA_API_TOKEN=${emulators.oomnitza.apiToken} NINJA_SYNC_ALLOW_INSECURE_HTTP=true NINJA_SYNC_ALLOW_PRIVATE_HOSTS=true`,
      '  ninja-sync run --config examples/ninjaone-users.yaml --dry-run',
      '',
      'Press Ctrl-C to stop.',
    ];
    io.out(`${lines.join('\n')}\n`);
  }

  await stop;
  await emulators.close();
  if (!options.json) io.err('Emulators stopped.\n');
  return exitCodes.ok;
}

/** One tenant as `--json` lists it: its URLs and the client-credentials app and API token that open it. */
function describeTenant(tenant: EmulatorTenant) {
  const m2m = tenant.ninjaone.clientApps.find((app) => app.grants.includes('client_credentials'));
  return {
    index: tenant.index,
    ninjaone: { url: tenant.ninjaone.url, clientId: m2m?.clientId ?? '', clientSecret: m2m?.clientSecret ?? '' },
    oomnitza: { url: tenant.oomnitza.url, apiToken: tenant.oomnitza.apiToken },
  };
}

/** How long a long-running command may take to stop after SIGINT or SIGTERM before it exits anyway. */
export const stopDeadlineMs = 4_000;

/**
 * Resolves on the first SIGINT or SIGTERM, and takes the listeners off again: a second signal then
 * ends the process at once (Node's default). One signal is enough, though: a command that has not
 * stopped `stopDeadlineMs` later (a stuck request, a hung SMTP server) exits anyway, with code 1.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Unref'd: it never delays a clean stop.
      setTimeout(() => {
        process.stderr.write(`ninja-sync: did not stop within ${stopDeadlineMs / 1000} s of ${signal}; exiting now\n`);
        process.exit(1);
      }, stopDeadlineMs).unref();
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
