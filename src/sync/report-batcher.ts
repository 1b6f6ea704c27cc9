/**
 * Hands record outcomes to the RunReporter in batches: one store write per batch instead of per
 * record, yet a slow run still shows progress (a batch is also sent once it has waited `maxWaitMs`).
 * Batches are delivered one at a time, in order; a reporter failure is kept and rethrown to the next
 * caller, so the executor stops instead of writing records nobody can see.
 *
 * @example
 * const batcher = createReportBatcher(reporter);
 * await batcher.add(outcome);
 * await batcher.flush();
 */
import type { RecordOutcome, RunReporter } from './ports.ts';

export interface ReportBatcher {
  add(outcome: RecordOutcome): Promise<void>;
  /** Sends what is buffered and waits for every batch to be delivered. */
  flush(): Promise<void>;
}

export function createReportBatcher(
  reporter: RunReporter,
  options: { readonly size?: number; readonly maxWaitMs?: number; readonly clock?: () => number } = {},
): ReportBatcher {
  const size = options.size ?? 500;
  const maxWaitMs = options.maxWaitMs ?? 500;
  const clock = options.clock ?? Date.now;
  let buffer: RecordOutcome[] = [];
  let lastSent = clock();
  let tail: Promise<void> = Promise.resolve();

  function send(): Promise<void> {
    if (buffer.length > 0) {
      const batch = buffer;
      buffer = [];
      lastSent = clock();
      tail = tail.then(() => reporter.records(batch));
    }
    return tail;
  }

  return {
    add(outcome) {
      buffer.push(outcome);
      if (buffer.length >= size || clock() - lastSent >= maxWaitMs) return send();
      return tail;
    },
    flush: send,
  };
}
