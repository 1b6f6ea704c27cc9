/**
 * The thread side of the server's run host (started by `run-host.ts` through `run-host-boot.mjs`):
 * opens its own handle on the store, runs a worker (`worker.ts`: claim, run, claim again) on this
 * thread's event loop, and tells the server's thread what it does. The messages it takes: wake,
 * cancel a run, answer when idle, stop (the runs in hand are canceled at their next safe point).
 *
 * @example
 * // Not imported: new Worker(new URL('./run-host-boot.mjs', import.meta.url), { workerData })
 */
import { parentPort, workerData } from 'node:worker_threads';

import { useCredentialLockMemory } from '../credentials/thread-lock.ts';
import { vaultFromKeys } from '../credentials/vault.ts';
import { openDatabase } from '../db/open-database.ts';
import { allowPrivateVendorHosts } from '../http/vendor-hosts.ts';
import { startWorker } from './worker.ts';

import type { FromHost, RunHostData, ToHost } from './run-host.ts';

if (parentPort === null) throw new Error('run-host-entry.ts runs only as a worker thread (see run-host.ts)');
const port = parentPort;
const { setup, credentialLock } = workerData as RunHostData;
const tell = (message: FromHost): void => port.postMessage(message);
const log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void =>
  tell({ type: 'log', level, message, ...(fields === undefined ? {} : { fields }) });

allowPrivateVendorHosts(setup.allowPrivateHosts);
if (credentialLock !== null) useCredentialLockMemory(credentialLock);

// Structured cloning turns a Buffer into a plain Uint8Array.
const keys = {
  current: Buffer.from(setup.vaultKeys.current),
  previous: setup.vaultKeys.previous.map((key) => Buffer.from(key)),
  file: null,
};
const store = await openDatabase({ ...setup.store, migrate: false });
const worker = startWorker(
  {
    db: store.db,
    vault: vaultFromKeys(keys),
    dialect: store.dialect,
    now: () => new Date(),
    log,
    expressionLimits: setup.expressionLimits,
    ...(setup.heartbeatMs === undefined ? {} : { heartbeatMs: setup.heartbeatMs }),
  },
  {
    ...setup.worker,
    onRunStarted: (run) => tell({ type: 'started', runId: run.id, integrationId: run.integrationId }),
    onRunFinished: async (run) => tell({ type: 'finished', run }),
  },
);

port.on('message', (message: ToHost) => {
  switch (message.type) {
    case 'wake':
      worker.wake();
      break;
    case 'cancel':
      worker.cancel(message.runId);
      break;
    case 'idle':
      void worker.idle().then(() => tell({ type: 'idle', id: message.id }));
      break;
    case 'stop':
      void stop();
      break;
  }
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await worker.stop();
  await store.close();
  tell({ type: 'stopped' });
  // Ends this thread only, at once: the vendor clients' keep-alive sockets would hold it for seconds.
  // The messages posted before are delivered first.
  process.exit(0);
}

tell({ type: 'ready', workerId: worker.workerId });
