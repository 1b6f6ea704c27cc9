/**
 * How long to wait between attempts: exponential backoff with full jitter (a random wait between 0
 * and the exponential ceiling, so many clients failing together do not retry together), or the
 * server's own `Retry-After` when it sends one, capped so a hostile header cannot park a run.
 *
 * @example
 * const policy = resolveRetryPolicy({ maxAttempts: 3 });
 * const wait = retryDelayMs(policy, 2, response.headers.get('retry-after'));
 */

export interface RetryPolicy {
  /** Attempts in total, the first included; 1 disables retries. 429 answers have their own budget. */
  readonly maxAttempts: number;
  /**
   * How many 429 answers one call may meet before it gives up. Separate from `maxAttempts` because
   * a 429 is the service pacing us, not failing: under a rate limit a bulk run should slow down and
   * finish, not drop writes. Oomnitza's own connector retries up to 10 times.
   */
  readonly maxRateLimitedAttempts: number;
  /** The backoff ceiling of the first retry; it doubles with each further retry. */
  readonly baseDelayMs: number;
  /** The largest backoff ceiling. */
  readonly maxDelayMs: number;
  /** The longest `Retry-After` honoured; a longer one waits this long. */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  maxRateLimitedAttempts: 10,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
});

/** The default policy with `overrides` applied; rejects nonsense so a typo fails at start-up. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...overrides };
  for (const key of ['maxAttempts', 'maxRateLimitedAttempts'] as const) {
    if (!Number.isInteger(policy[key]) || policy[key] < 1)
      throw new RangeError(`retry.${key} must be an integer of at least 1, got ${policy[key]}`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0)
      throw new RangeError(`retry.${key} must be a number of at least 0, got ${policy[key]}`);
  }
  return Object.freeze(policy);
}

/**
 * Milliseconds a `Retry-After` header asks for: delta-seconds or an HTTP date; null when absent or
 * unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/**
 * The wait before attempt number `nextAttempt` (2 for the first retry). `Retry-After` wins when
 * present (capped at `maxRetryAfterMs`), plus up to `baseDelayMs` of jitter so the many calls told
 * "retry in 1 s" together do not all come back in the same millisecond; otherwise full jitter over
 * `base * 2^(retry - 1)`.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  nextAttempt: number,
  retryAfter: string | null = null,
  random: () => number = Math.random,
): number {
  const asked = parseRetryAfter(retryAfter);
  if (asked !== null) return Math.min(asked, policy.maxRetryAfterMs) + Math.floor(random() * policy.baseDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, nextAttempt - 2));
  return Math.floor(random() * ceiling);
}
