/**
 * A fixed pool of workers over a list: keeps up to `concurrency` calls of `work` in flight, starts
 * nothing new once `signal` is aborted (calls in flight finish), and stops at the first call that
 * throws, rethrowing its error once the others have settled. `work` should turn an item's own
 * failure into a result; a throw here means the run cannot go on (e.g. its report cannot be stored).
 *
 * @example
 * const { started } = await runPool(items, 8, signal, async (item) => { await write(item); });
 * const notStarted = items.slice(started);
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal | undefined,
  work: (item: T) => Promise<void>,
): Promise<{ readonly started: number }> {
  let next = 0;
  const failure: { error?: unknown; failed: boolean } = { failed: false };
  async function worker(): Promise<void> {
    while (!failure.failed && signal?.aborted !== true && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        if (!failure.failed) Object.assign(failure, { failed: true, error });
      }
    }
  }
  const size = Math.max(1, Math.min(Math.floor(concurrency), items.length));
  await Promise.all(Array.from({ length: size }, () => worker()));
  if (failure.failed) throw failure.error;
  return { started: next };
}
