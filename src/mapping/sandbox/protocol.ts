/**
 * The messages between the expression sandbox (`sandboxed-mapping.ts`, on the caller's side) and
 * its child process (`sandbox-process.ts`), and the layout of the progress slots.
 *
 * The child answers each `begin` and `batch` with exactly one message, in order, so the caller
 * pairs answers with requests by their order alone.
 *
 * @example
 * worker.postMessage({ type: 'batch', offset: 2000, users } satisfies ToWorker);
 */
import type { Integration } from '../../integrations/schema.ts';
import type { MapOutcome, MappingContext } from '../compile.ts';
import type { SourceUser } from '../source-record.ts';

/** Progress slots (an Int32Array over a SharedArrayBuffer) the engine writes and the watcher reads. */
export const progressSlots = {
  /** Index of the record being mapped, within its batch. */
  record: 0,
  /** Index in `CompiledMapping.steps` of the step running, -1 between steps. */
  step: 1,
  /** Offset of the current batch in the whole `mapAll` call. */
  offset: 2,
} as const;
export const progressLength = 3;

export type ToWorker =
  | { readonly type: 'begin'; readonly integration: Integration; readonly context: MappingContext }
  | { readonly type: 'batch'; readonly offset: number; readonly users: readonly SourceUser[] }
  | { readonly type: 'end' };

export type FromWorker =
  /** Sent once when the child has loaded, before any answer. */
  | { readonly type: 'up' }
  | { readonly type: 'ready' }
  | { readonly type: 'outcomes'; readonly outcomes: readonly MapOutcome[] }
  | { readonly type: 'failed'; readonly message: string };

/** Where the child was when last reported (each -1 until known). */
export interface Progress {
  readonly offset: number;
  readonly record: number;
  readonly step: number;
}
