/**
 * SQLite's stand-in for a credential's row lock, across the threads of one process. The server's runs
 * execute in a worker thread with its own database handle (`src/worker/run-host.ts`), so the per-handle
 * lock of `tokens.ts` no longer keeps the API (a preview, "Test") and a run from renewing the same
 * NinjaOne token at once, which with rotating refresh tokens would spend the loser's token and make
 * the credential ask for Authenticate again. One cell of shared memory, owned by the main thread
 * and handed to the runs' thread, says which thread renews; the others wait. Renewals are rare and
 * short, so waiting polls (every 20 ms) instead of blocking.
 *
 * A thread terminated while it held the lock would hold it for ever: the thread that terminated it
 * frees it (`releaseThreadLockOf`). On PostgreSQL the row lock itself does this job.
 *
 * @example
 * const worker = new Worker(file, { workerData: { lock: credentialLockMemory() } });
 * // in the worker: useCredentialLockMemory(workerData.lock);
 * await withThreadLock(() => renewToken());
 */
import { isMainThread, threadId } from 'node:worker_threads';

let cell: Int32Array | null = isMainThread ? new Int32Array(new SharedArrayBuffer(4)) : null;

/** The lock's memory, to hand to the runs' thread (null inside a thread that was given none). */
export function credentialLockMemory(): SharedArrayBuffer | null {
  return cell === null ? null : (cell.buffer as SharedArrayBuffer);
}

/** In the runs' thread: take part in the lock of the thread that started it. */
export function useCredentialLockMemory(memory: SharedArrayBuffer): void {
  cell = new Int32Array(memory);
}

/** Runs `work` holding the lock (at once when this thread takes part in none). */
export async function withThreadLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = cell;
  if (lock === null) return work();
  const me = threadId + 1; // 0 means free; the main thread's id is 0
  while (Atomics.compareExchange(lock, 0, 0, me) !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    return await work();
  } finally {
    Atomics.compareExchange(lock, 0, me, 0);
  }
}

/** Frees the lock if the (terminated) thread `id` held it. */
export function releaseThreadLockOf(id: number): void {
  if (cell !== null) Atomics.compareExchange(cell, 0, id + 1, 0);
}
