/**
 * The child process of the expression sandbox: compiles an integration's mapping here, maps the
 * batches of users it is sent over IPC, and reports which record and step it is on, so that the
 * parent can kill it at its deadline and name the field that overran.
 *
 * The reporting: the engine writes its position into shared progress slots (cheap: no call, no
 * message per step); a small watcher thread of this process samples them every 25 ms and writes
 * each change as a line `offset record step` to file descriptor 3, a pipe the parent reads. The
 * watcher goes on while this thread is stuck in an expression, and the parent still has the last
 * line when this process dies of an exhausted heap.
 *
 * Messages are handled one at a time, in order, although mapping a batch awaits: a batch that
 * arrives while another is mapped waits its turn. The process ends when its parent goes: on the
 * channel's close, or, when this thread is stuck, by the watcher, which sees the parent change.
 *
 * @example
 * // Started by pool.ts; never imported.
 * fork('sandbox-process.ts', [], { execArgv: ['--import', tsx, '--max-old-space-size=256'], stdio: [..., 'pipe', 'ipc'] });
 */
import { Worker } from 'node:worker_threads';

import { type CompiledMapping, compileMapping, type MapOutcome, type MappingContext } from '../compile.ts';
import { type FromWorker, progressLength, progressSlots, type ToWorker } from './protocol.ts';

if (process.send === undefined) throw new Error('sandbox-process.ts runs as a child process with an IPC channel only');

const shared = new SharedArrayBuffer(progressLength * Int32Array.BYTES_PER_ELEMENT);
const progress = new Int32Array(shared);
progress.fill(-1);

const watcher = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const slots = new Int32Array(workerData.progress);
let last = '';
const report = () => {
  // Orphaned (the parent was killed): this thread may be stuck in an expression that never
  // returns to read the closed channel, so end the process from here.
  if (process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL');
  const line = Atomics.load(slots, ${String(progressSlots.offset)}) + ' ' + Atomics.load(slots, ${String(progressSlots.record)}) + ' ' + Atomics.load(slots, ${String(progressSlots.step)}) + '\\n';
  if (line === last) return;
  last = line;
  try { writeSync(3, line); } catch {}
};
setInterval(report, 25);
require('node:worker_threads').parentPort.postMessage('watching');
`;
const watching = new Worker(watcher, { eval: true, workerData: { progress: shared, parent: process.ppid } });
watching.unref();

let current: { readonly compiled: CompiledMapping; readonly context: MappingContext } | undefined;

function send(message: FromWorker): void {
  (process.send as NonNullable<typeof process.send>)(message);
}

/**
 * Outcomes that cannot cross to the parent (a value holding a function, say) become failures of
 * their record; the others go as they are. Only called when sending the whole batch failed.
 */
function cloneable(outcomes: readonly MapOutcome[]): MapOutcome[] {
  return outcomes.map((outcome) => {
    try {
      structuredClone(outcome);
      return outcome;
    } catch {
      if (!outcome.kept) return outcome;
      const { sourceId, label } = outcome.record;
      return { kept: false, error: true, sourceId, label, reason: 'mapping failed: a value holds a function, not data; call it' };
    }
  });
}

async function handle(message: ToWorker): Promise<void> {
  try {
    if (message.type === 'begin') {
      current = { compiled: compileMapping(message.integration, { progress }), context: message.context };
      send({ type: 'ready' });
    } else if (message.type === 'batch') {
      if (current === undefined) throw new Error('a batch arrived before its mapping');
      Atomics.store(progress, progressSlots.offset, message.offset);
      const outcomes = await current.compiled.mapAll(message.users, current.context);
      Atomics.store(progress, progressSlots.step, -1);
      try {
        send({ type: 'outcomes', outcomes });
      } catch {
        send({ type: 'outcomes', outcomes: cloneable(outcomes) });
      }
    } else current = undefined;
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

let queue: Promise<void> = Promise.resolve();
process.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message));
});
process.on('disconnect', () => process.exit(0));
// Up only once the watcher reports: a deadline must never find a child that cannot say where it is.
watching.once('message', () => send({ type: 'up' }));
