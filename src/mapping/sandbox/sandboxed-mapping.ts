/**
 * The mapping engine behind a wall: the same `CompiledMapping` as `compileMapping`, but every
 * expression and regex runs in a worker thread (`mapping-worker.ts`) that is ended, not asked,
 * when its time is up, its heap is full, or the caller cancels. The thread that serves the API
 * (or runs the sync) only sends records and receives outcomes, so a field such as
 * `$string($sum([1..10000000]))` or `($f := function($x){$f($x)}; $f(1))` holds up nothing else.
 *
 * Budget: one `mapAll` call (a preview, or a run's mapping phase) may keep the worker busy for
 * `timeMs` in all; past that the worker is ended and `mapAll` rejects with an
 * ExpressionLimitError naming the step that was running (`custom field fullName took longer than
 * 2 s`) and the record. A worker whose heap passes `memoryMb` is ended by V8, with the same kind of
 * error. Waiting for a free worker or for it to start does not count. JSONata's own per-evaluation
 * timeout (`expression.ts`) still fails a single slow record first when it can.
 *
 * Validation and compilation also happen here, on the caller's thread: they only parse (JSONata's
 * parser is linear, a regex is compiled, not run), so they are bounded by the document's size. So
 * does the mapping of the records that need no JSONata and no regex (`mapBounded`: field reads,
 * fixed values, plain filter rules and expressions the synchronous shortcut answers, all linear in
 * the record); only the others go to the sandbox, and a simple mapping never starts it.
 *
 * Records go to the worker in batches of `batchSize`, two batches in flight, so that the
 * per-message cost stays small and the worker never waits for the next batch.
 *
 * @example
 * const compiled = compileSandboxedMapping(integration, { timeMs: 2000, memoryMb: 256, setting: 'NINJA_SYNC_PREVIEW_EXPRESSION_MS', what: 'a preview' });
 * const outcomes = await compiled.mapAll(users, context, { signal });
 */
import { type CompiledMapping, compileMapping, type MapOutcome, type MappingStep } from '../compile.ts';
import { recordLabel, type SourceUser } from '../source-record.ts';
import { type Lease, outOfMemoryCode, sandboxPool, SandboxStoppedError } from './pool.ts';
import { type FromWorker } from './protocol.ts';

import type { ExpressionLimits } from '../../config.ts';
import type { Integration } from '../../integrations/schema.ts';

export interface ExpressionBudget {
  /** Time the worker may spend on one `mapAll` call, in milliseconds. */
  readonly timeMs: number;
  /** Heap of the worker thread, in megabytes. */
  readonly memoryMb: number;
  /** Who spends it, for the message: 'a preview', 'a run'. */
  readonly what: string;
  /** The setting that raises `timeMs`, for the message. */
  readonly setting: string;
}

/** The budget of one preview. */
export function previewBudget(limits: ExpressionLimits): ExpressionBudget {
  return { timeMs: limits.previewMs, memoryMb: limits.memoryMb, what: 'a preview', setting: 'NINJA_SYNC_PREVIEW_EXPRESSION_MS' };
}

/** The budget of one run (its mapping phase). */
export function runBudget(limits: ExpressionLimits): ExpressionBudget {
  return { timeMs: limits.runMs, memoryMb: limits.memoryMb, what: 'a run', setting: 'NINJA_SYNC_RUN_EXPRESSION_MS' };
}

/** The expressions used up their time or memory; names the step and record that were running. */
export class ExpressionLimitError extends Error {
  override readonly name = 'ExpressionLimitError';
  constructor(
    message: string,
    readonly limit: 'time' | 'memory',
    /** The step that was running, when one was. */
    readonly step: MappingStep | undefined,
    /** The label of the record being mapped, when known. */
    readonly record: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const batchSize = 1000;
const batchesInFlight = 2;

/** `800 ms`, `2 s`, `1.5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${String(ms)} ms`;
  return `${String(Math.round(ms / 100) / 10)} s`;
}

function unexpected(message: FromWorker, expected: FromWorker['type']): Error {
  if (message.type === 'failed') return new Error(message.message);
  return new Error(`the expression sandbox answered ${message.type}, expected ${expected}`);
}

/**
 * Compiles `integration` (throws MappingValidationError as `compileMapping` does) into a mapping
 * that evaluates in the sandbox within `budget`.
 */
export function compileSandboxedMapping(integration: Integration, budget: ExpressionBudget): CompiledMapping {
  const local = compileMapping(integration);
  const pool = sandboxPool(budget.memoryMb);

  function limitError(lease: Lease, users: readonly SourceUser[], limit: 'time' | 'memory', cause: unknown): ExpressionLimitError {
    const progress = lease.worker.progress;
    const step = local.steps[progress.step];
    const user = progress.offset >= 0 && progress.record >= 0 ? users[progress.offset + progress.record] : undefined;
    const record = user === undefined ? undefined : recordLabel(user);
    const who = step?.label ?? 'the mapping';
    const at = record === undefined ? '' : ` (at record ${record})`;
    const message =
      limit === 'time'
        ? `${who} took longer than ${formatDuration(budget.timeMs)}${at}, the time ${budget.what} gives its expressions in all; look for endless recursion, a large range such as [1..10000000] or a regex that backtracks (the limit is ${budget.setting})`
        : `${who} needed more than ${String(budget.memoryMb)} MB of memory${at}, the most expressions may use; look for a large range or a text or list that keeps growing (the limit is NINJA_SYNC_EXPRESSION_MEMORY_MB)`;
    return new ExpressionLimitError(message, limit, step, record, { cause });
  }

  /** Bounded records here, the rest in the sandbox; outcomes in the users' order. */
  async function mapAll(users: readonly SourceUser[], context: Parameters<CompiledMapping['mapAll']>[1], signal: AbortSignal | undefined) {
    signal?.throwIfAborted();
    const outcomes = local.mapBounded(users, context);
    const rest: number[] = [];
    for (let i = 0; i < outcomes.length; i++) if (outcomes[i] === undefined) rest.push(i);
    if (rest.length === 0) return outcomes as MapOutcome[];
    const sandboxed = await mapInSandbox(rest.length === users.length ? users : rest.map((i) => users[i] as SourceUser), context, signal);
    for (let j = 0; j < rest.length; j++) outcomes[rest[j] as number] = sandboxed[j];
    return outcomes as MapOutcome[];
  }

  async function mapInSandbox(
    users: readonly SourceUser[],
    context: Parameters<CompiledMapping['mapAll']>[1],
    signal: AbortSignal | undefined,
  ): Promise<MapOutcome[]> {
    if (users.length === 0) return [];
    const lease = await pool.acquire(signal);
    const worker = lease.worker;
    let healthy = false;
    let overran = false;
    const timer = setTimeout(() => {
      overran = true;
      worker.stop(new Error(`over its ${formatDuration(budget.timeMs)}`));
    }, budget.timeMs);
    const cancel = (): void => worker.stop(new Error('canceled'));
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const ready = await worker.request({ type: 'begin', integration, context });
      if (ready.type !== 'ready') throw unexpected(ready, 'ready');
      const outcomes: MapOutcome[] = [];
      const pending: Promise<FromWorker>[] = [];
      let next = 0;
      const send = (): void => {
        if (next >= users.length) return;
        const answer = worker.request({ type: 'batch', offset: next, users: users.slice(next, next + batchSize) });
        answer.catch(() => undefined); // awaited below, unless an earlier batch has failed the call
        pending.push(answer);
        next += batchSize;
      };
      for (let i = 0; i < batchesInFlight; i++) send();
      while (pending.length > 0) {
        const answer = await (pending.shift() as Promise<FromWorker>);
        if (answer.type !== 'outcomes') throw unexpected(answer, 'outcomes');
        send();
        for (const outcome of answer.outcomes) outcomes.push(outcome);
      }
      worker.post({ type: 'end' });
      healthy = true;
      return outcomes;
    } catch (error) {
      if (!(error instanceof SandboxStoppedError)) throw error;
      signal?.throwIfAborted();
      const cause = error.cause as (Error & { code?: string }) | undefined;
      if (overran) throw limitError(lease, users, 'time', error);
      if (cause?.code === outOfMemoryCode) throw limitError(lease, users, 'memory', error);
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
      lease.release(healthy);
    }
  }

  return {
    needs: local.needs,
    targetFields: local.targetFields,
    syncTimeFields: local.syncTimeFields,
    steps: local.steps,
    mapBounded: (users, context) => local.mapBounded(users, context),
    async map(user, context) {
      const [outcome] = await mapAll([user], context, undefined);
      return outcome as MapOutcome;
    },
    mapAll: (users, context, options = {}) => mapAll(users, context, options.signal),
  };
}
