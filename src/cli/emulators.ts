/**
 * Starts both emulators on loopback for `emulate` and `demo`, and closes them together.
 *
 * @example
 * const emulators = await startEmulators({ seed: 7, users: 40 });
 * try { ... } finally { await emulators.close(); }
 */
import { startNinjaOneEmulator } from '../../emulators/ninjaone/index.ts';
import { startOomnitzaEmulator } from '../../emulators/oomnitza/index.ts';

export type NinjaOneEmulator = Awaited<ReturnType<typeof startNinjaOneEmulator>>;
export type OomnitzaEmulator = Awaited<ReturnType<typeof startOomnitzaEmulator>>;

export interface RunningEmulators {
  readonly ninjaone: NinjaOneEmulator;
  readonly oomnitza: OomnitzaEmulator;
  close(): Promise<void>;
}

export interface StartEmulatorsOptions {
  readonly seed: number;
  readonly users: number;
  readonly ninjaonePort?: number;
  readonly oomnitzaPort?: number;
}

export async function startEmulators(options: StartEmulatorsOptions): Promise<RunningEmulators> {
  const ninjaone = await startNinjaOneEmulator({
    host: '127.0.0.1',
    port: options.ninjaonePort ?? 0,
    seed: options.seed,
    users: options.users,
  });
  let oomnitza: OomnitzaEmulator;
  try {
    oomnitza = await startOomnitzaEmulator({ host: '127.0.0.1', port: options.oomnitzaPort ?? 0, seed: options.seed });
  } catch (error) {
    await ninjaone.close();
    throw error;
  }
  return {
    ninjaone,
    oomnitza,
    async close() {
      await Promise.allSettled([ninjaone.close(), oomnitza.close()]);
    },
  };
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
