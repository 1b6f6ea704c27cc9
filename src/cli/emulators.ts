/**
 * Starts the NinjaOne and Oomnitza emulators on loopback for `emulate` and `demo`, and closes them
 * together. With `tenants` above 1 it starts that many separate tenants, as an MSP sees them: each
 * NinjaOne tenant its own instance, users (seed + index) and client apps, each Oomnitza tenant its
 * own instance (its own base URL, as `acme.oomnitza.com` is) and API token. One tenant's
 * credentials open nothing of another's, and each has its own knobs, so per-token limits are
 * per tenant as they are at the vendors. Tenant 0 keeps the demo credentials.
 *
 * @example
 * const emulators = await startEmulators({ seed: 7, users: 40, tenants: 3 });
 * try { emulators.tenants[2].oomnitza.url; } finally { await emulators.close(); }
 */
import { defaultClientApps, startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';

import type { ClientApp } from '../../emulators/ninjaone/index.ts';

export type NinjaOneEmulator = Awaited<ReturnType<typeof startNinjaOneEmulator>>;
export type OomnitzaEmulator = Awaited<ReturnType<typeof startOomnitzaEmulator>>;

export interface EmulatorTenant {
  /** 0 for the first tenant. */
  readonly index: number;
  readonly ninjaone: NinjaOneEmulator;
  readonly oomnitza: OomnitzaEmulator;
}

export interface RunningEmulators {
  /** The first tenant's emulators (the only ones unless `tenants` was above 1). */
  readonly ninjaone: NinjaOneEmulator;
  readonly oomnitza: OomnitzaEmulator;
  /** Every tenant, the first included. */
  readonly tenants: readonly EmulatorTenant[];
  close(): Promise<void>;
}

export interface StartEmulatorsOptions {
  readonly seed: number;
  /** NinjaOne users of each tenant. */
  readonly users: number;
  /** Separate tenants (1 when absent). */
  readonly tenants?: number;
  /** Ports of the first tenant's emulators; the others take free ports. */
  readonly ninjaonePort?: number;
  readonly oomnitzaPort?: number;
}

/** Most tenants one process serves: each is two HTTP servers. */
export const maxTenants = 1000;

export async function startEmulators(options: StartEmulatorsOptions): Promise<RunningEmulators> {
  const count = options.tenants ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > maxTenants) {
    throw new RangeError(`tenants must be a whole number from 1 to ${maxTenants}, got ${count}`);
  }
  const tenants: EmulatorTenant[] = [];
  try {
    for (let index = 0; index < count; index++) tenants.push(await startTenant(options, index));
  } catch (error) {
    await closeAll(tenants);
    throw error;
  }
  const first = tenants[0]!;
  return {
    ninjaone: first.ninjaone,
    oomnitza: first.oomnitza,
    tenants,
    close: () => closeAll(tenants),
  };
}

async function startTenant(options: StartEmulatorsOptions, index: number): Promise<EmulatorTenant> {
  const ninjaone = await startNinjaOneEmulator({
    host: '127.0.0.1',
    port: index === 0 ? (options.ninjaonePort ?? 0) : 0,
    seed: options.seed + index,
    users: options.users,
    ...(index === 0 ? {} : { clientApps: tenantClientApps(index) }),
  });
  try {
    const oomnitza = await startOomnitzaEmulator({
      host: '127.0.0.1',
      port: index === 0 ? (options.oomnitzaPort ?? 0) : 0,
      seed: options.seed + index,
      ...(index === 0 ? {} : { apiToken: `demo-oomnitza-token-${index}` }),
    });
    return { index, ninjaone, oomnitza };
  } catch (error) {
    await ninjaone.close();
    throw error;
  }
}

/** The demo apps under tenant-specific ids and secrets (`tenant3-m2m` / `tenant3-m2m-secret`). */
function tenantClientApps(index: number): ClientApp[] {
  return defaultClientApps().map((app) => {
    const id = app.clientId.replace(/^demo-/, `tenant${index}-`);
    return { ...app, name: app.name.replace('demo', `tenant ${index}`), clientId: id, clientSecret: `${id}-secret` };
  });
}

async function closeAll(tenants: readonly EmulatorTenant[]): Promise<void> {
  await Promise.allSettled(tenants.flatMap((tenant) => [tenant.ninjaone.close(), tenant.oomnitza.close()]));
}

export interface ClientAppDescription {
  readonly name: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly grants: readonly string[];
  readonly scopes: readonly string[];
  readonly redirectUris: readonly string[];
}

/** The emulator's demo client apps as a list, the shape `emulate --json` prints. */
export function describeClientApps(apps: NinjaOneEmulator['clientApps']): ClientAppDescription[] {
  return apps.map((app) => ({
    name: app.name,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    grants: [...app.grants],
    scopes: [...app.scopes],
    redirectUris: [...app.redirectUris],
  }));
}
