/**
 * Child processes for the expression sandbox, kept warm between uses: starting one costs a second
 * or so (a process, tsx, the mapping engine), mapping a preview a few milliseconds.
 *
 * Processes, not worker threads: a worker thread's heap limit (`resourceLimits`) only holds for
 * small allocations, and one large array past it (`[1..10000000]` under a 64 MB limit) aborts the
 * whole process, server included; a child that runs out of heap dies alone. Its environment is
 * empty but for what Node and tsx need, so no secret is within reach of an expression.
 *
 * A pool per heap limit (`--max-old-space-size` is fixed when a process starts). At most
 * `maxWorkers` children work at once; further callers wait their turn (so many previews at once
 * cannot start a process each), and a waiting caller can give up with its signal. An idle child is
 * kept for `idleMs`, unreferenced so that it never keeps this process alive, then ended. A child
 * that was stopped (deadline, memory, cancel) or crashed is discarded, never reused.
 *
 * @example
 * const lease = await sandboxPool(256).acquire(signal);
 * try { … await lease.worker.request({ type: 'batch', offset: 0, users }) … } finally { lease.release(healthy); }
 */
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

import { type FromWorker, type Progress, type ToWorker } from './protocol.ts';

import type { Readable } from 'node:stream';

const entry = fileURLToPath(new URL('./sandbox-process.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
/** What Node and tsx need of the environment (tsx keeps its cache in the temporary folder). */
const passedVariables = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'SYSTEMROOT', 'LANG', 'TZ'];

/** The child stopped (ended by us, out of memory, crashed); `cause` says how. */
export class SandboxStoppedError extends Error {
  override readonly name = 'SandboxStoppedError';
}

/** `cause.code` of a SandboxStoppedError when the child ran out of heap. */
export const outOfMemoryCode = 'ERR_SANDBOX_OUT_OF_MEMORY';

/** One child process and where it last said it was; requests are answered in order. */
export class SandboxWorker {
  /** Settles when the child has loaded (rejects if it could not). */
  readonly started: Promise<void>;
  private readonly child: ChildProcess;
  private readonly waiting: { resolve: (message: FromWorker) => void; reject: (error: Error) => void }[] = [];
  private stopped: SandboxStoppedError | undefined;
  private last: Progress = { offset: -1, record: -1, step: -1 };
  private stderr = '';

  constructor(memoryMb: number) {
    const env: Record<string, string> = {};
    for (const name of passedVariables) if (process.env[name] !== undefined) env[name] = process.env[name];
    this.child = fork(entry, [], {
      execArgv: [
        '--import',
        tsx,
        `--max-old-space-size=${String(memoryMb)}`,
        `--max-semi-space-size=${String(Math.max(1, Math.min(16, Math.floor(memoryMb / 16))))}`,
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    this.started = new Promise<FromWorker>((resolve, reject) => this.waiting.push({ resolve, reject })).then(() => undefined);
    this.child.on('message', (message: FromWorker) => this.waiting.shift()?.resolve(message));
    this.child.on('error', (error) => this.stop(error));
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-4000);
    });
    let partial = '';
    (this.child.stdio[3] as Readable | null)?.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      const line = lines.at(-1);
      if (line === undefined) return;
      const [offset = -1, record = -1, step = -1] = line.split(' ').map(Number);
      this.last = { offset, record, step };
    });
    this.child.on('close', (code, signal) => {
      const memory = /heap out of memory|Reached heap limit/.test(this.stderr);
      const cause: Error & { code?: string } = new Error(
        memory
          ? 'it ran out of memory'
          : `it exited (${signal ?? `code ${String(code)}`})${this.stderr === '' ? '' : `: ${this.stderr.trim().split('\n').slice(-3).join(' ')}`}`,
      );
      if (memory) cause.code = outOfMemoryCode;
      this.fail(cause);
    });
  }

  get alive(): boolean {
    return this.stopped === undefined;
  }

  /** Where the child last said it was. */
  get progress(): Progress {
    return this.last;
  }

  /** Sends a message that is answered, and waits for its answer. */
  request(message: ToWorker): Promise<FromWorker> {
    if (this.stopped) return Promise.reject(this.stopped);
    const answer = new Promise<FromWorker>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.child.send(message);
    return answer;
  }

  /** Sends a message that has no answer. */
  post(message: ToWorker): void {
    if (!this.stopped) this.child.send(message);
  }

  /** Kills the child now, whatever it runs; pending requests reject with `cause`. */
  stop(cause: Error): void {
    this.fail(cause);
    this.child.kill('SIGKILL');
  }

  /** Whether this process may exit while the child lives (only when it is idle). */
  hold(held: boolean): void {
    // The pipes are sockets underneath, though typed as plain streams.
    type Handle = { ref(): unknown; unref(): unknown } | null | undefined;
    const handles: Handle[] = [this.child, this.child.channel, this.child.stderr as Handle, this.child.stdio[3] as Handle];
    for (const handle of handles) {
      if (held) handle?.ref();
      else handle?.unref();
    }
  }

  private fail(cause: Error): void {
    if (this.stopped === undefined) this.stopped = new SandboxStoppedError(`the expression sandbox stopped: ${cause.message}`, { cause });
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.stopped);
  }
}

export interface Lease {
  readonly worker: SandboxWorker;
  /** Gives the thread back: kept warm when `healthy`, ended otherwise. Call exactly once. */
  release(healthy: boolean): void;
}

export interface PoolOptions {
  readonly memoryMb: number;
  readonly maxWorkers?: number;
  readonly idleMs?: number;
}

export class SandboxPool {
  private readonly idle: { worker: SandboxWorker; timer: NodeJS.Timeout }[] = [];
  private readonly queue: (() => void)[] = [];
  private busy = 0;
  private readonly maxWorkers: number;
  private readonly idleMs: number;

  constructor(private readonly options: PoolOptions) {
    this.maxWorkers = options.maxWorkers ?? Math.max(2, Math.min(4, availableParallelism()));
    this.idleMs = options.idleMs ?? 60_000;
  }

  /** A started worker thread for the caller alone; waits while `maxWorkers` are busy. */
  async acquire(signal?: AbortSignal): Promise<Lease> {
    signal?.throwIfAborted();
    while (this.busy >= this.maxWorkers) await this.turn(signal);
    this.busy += 1;
    let worker: SandboxWorker | undefined;
    try {
      worker = this.takeIdle() ?? new SandboxWorker(this.options.memoryMb);
      worker.hold(true);
      await abortable(worker.started, signal);
    } catch (error) {
      worker?.stop(new Error('not needed any more'));
      this.done();
      throw error;
    }
    let released = false;
    const started = worker;
    return {
      worker: started,
      release: (healthy) => {
        if (released) return;
        released = true;
        if (healthy && started.alive) this.keep(started);
        else started.stop(new Error('discarded'));
        this.done();
      },
    };
  }

  private takeIdle(): SandboxWorker | undefined {
    while (this.idle.length > 0) {
      const { worker, timer } = this.idle.pop()!;
      clearTimeout(timer);
      if (worker.alive) return worker;
    }
    return undefined;
  }

  private keep(worker: SandboxWorker): void {
    worker.hold(false);
    const timer = setTimeout(() => {
      const at = this.idle.findIndex((entry) => entry.worker === worker);
      if (at >= 0) this.idle.splice(at, 1);
      worker.stop(new Error('idle'));
    }, this.idleMs);
    timer.unref();
    this.idle.push({ worker, timer });
  }

  private done(): void {
    this.busy -= 1;
    this.queue.shift()?.();
  }

  private turn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = (): void => {
        signal?.removeEventListener('abort', give);
        resolve();
      };
      const give = (): void => {
        const at = this.queue.indexOf(go);
        if (at >= 0) this.queue.splice(at, 1);
        reject(signal?.reason as Error);
      };
      this.queue.push(go);
      signal?.addEventListener('abort', give, { once: true });
    });
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const give = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', give, { once: true });
    promise.finally(() => signal.removeEventListener('abort', give)).then(resolve, reject);
  });
}

const pools = new Map<number, SandboxPool>();

/** The process's (or this thread's) pool for a heap limit. */
export function sandboxPool(memoryMb: number): SandboxPool {
  let pool = pools.get(memoryMb);
  if (pool === undefined) {
    pool = new SandboxPool({ memoryMb });
    pools.set(memoryMb, pool);
  }
  return pool;
}
