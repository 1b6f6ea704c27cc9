/**
 * Adaptive concurrency (AIMD, as TCP does it): at most `limit` calls run at once; a rate-limit
 * answer halves the limit (never below `min`), and every `limit` successes in a row raise it by one
 * (never above `max`). Bulk writes thus slow down as soon as the service pushes back and speed up
 * again once it copes.
 *
 * One burst of 429s halves the limit once, not once per rejected call: a permit remembers the
 * limiter's generation, and only a permit from the current generation may cut it. Without that, 8
 * calls rejected together would take the limit from 8 to 1 instead of 4.
 *
 * This is an in-process limiter; it does not coordinate separate processes sharing a token.
 *
 * @example
 * const limiter = createAdaptiveLimiter({ max: 8 });
 * const permit = await limiter.acquire(signal);
 * try { const res = await fetch(url); permit.release(res.status === 429 ? 'rate_limited' : 'success'); }
 * catch (error) { permit.release('failure'); throw error; }
 */

/** How a call ended, as far as the limiter cares. `failure` neither raises nor cuts the limit. */
export type LimiterOutcome = 'success' | 'rate_limited' | 'failure';

export interface LimiterPermit {
  /** Frees the slot; call exactly once. Later calls are ignored. */
  release(outcome: LimiterOutcome): void;
}

export interface AdaptiveLimiter {
  /** The current concurrency limit. */
  readonly limit: number;
  /** Calls holding a permit now. */
  readonly active: number;
  /** Calls waiting for a permit. */
  readonly pending: number;
  /** Waits for a free slot; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<LimiterPermit>;
  /** Runs `task` in a slot; a throw counts as `failure` unless `classify` says otherwise. */
  run<T>(
    task: () => Promise<T>,
    options?: { readonly signal?: AbortSignal; readonly classify?: (error: unknown) => LimiterOutcome },
  ): Promise<T>;
}

export interface AdaptiveLimiterOptions {
  /** The ceiling, and the starting limit unless `initial` says otherwise. */
  readonly max: number;
  /** The floor (at least 1). */
  readonly min?: number;
  readonly initial?: number;
  /** Called whenever the limit changes, e.g. to log back-off. */
  readonly onChange?: (limit: number, reason: 'rate_limited' | 'recovered') => void;
}

interface Waiter {
  readonly resolve: (permit: LimiterPermit) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export function createAdaptiveLimiter(options: AdaptiveLimiterOptions): AdaptiveLimiter {
  const min = Math.max(1, Math.floor(options.min ?? 1));
  const max = Math.floor(options.max);
  if (!Number.isFinite(max) || max < min) throw new RangeError(`concurrency must be an integer of at least ${min}, got ${options.max}`);
  let limit = Math.min(max, Math.max(min, Math.floor(options.initial ?? max)));
  let active = 0;
  let generation = 0;
  let successes = 0;
  const queue: Waiter[] = [];

  function grant(): LimiterPermit {
    active++;
    const born = generation;
    let released = false;
    return {
      release(outcome) {
        if (released) return;
        released = true;
        active--;
        settle(outcome, born);
        pump();
      },
    };
  }

  function settle(outcome: LimiterOutcome, born: number): void {
    if (outcome === 'rate_limited') {
      successes = 0;
      if (born !== generation) return;
      generation++;
      const next = Math.max(min, Math.floor(limit / 2));
      if (next !== limit) {
        limit = next;
        options.onChange?.(limit, 'rate_limited');
      }
    } else if (outcome === 'success' && limit < max) {
      if (++successes >= limit) {
        successes = 0;
        limit++;
        options.onChange?.(limit, 'recovered');
      }
    }
  }

  function pump(): void {
    while (active < limit && queue.length > 0) {
      const waiter = queue.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(grant());
    }
  }

  function acquire(signal?: AbortSignal): Promise<LimiterPermit> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (active < limit && queue.length === 0) return Promise.resolve(grant());
    return new Promise<LimiterPermit>(function waitForSlot(resolve, reject) {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort() {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(abortReason(signal));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      queue.push(waiter);
    });
  }

  return {
    get limit() {
      return limit;
    },
    get active() {
      return active;
    },
    get pending() {
      return queue.length;
    },
    acquire,
    async run(task, runOptions = {}) {
      const permit = await acquire(runOptions.signal);
      try {
        const result = await task();
        permit.release('success');
        return result;
      } catch (error) {
        permit.release(runOptions.classify?.(error) ?? 'failure');
        throw error;
      }
    },
  };
}

/** The abort reason as an Error (an AbortSignal may carry any value). */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}
