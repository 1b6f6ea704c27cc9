/**
 * Measuring for the benchmarks: wall time, CPU time (process.cpuUsage) and peak memory. Memory is
 * sampled every 50 ms (reading RSS is a system call, so not more often), because Node reports only
 * the current heap, and `maxRSS` only for the whole life of the process. Each benchmark section
 * runs in its own process so that its peak is its own.
 *
 * @example
 * const measured = await measure(() => runSync(...));
 * console.log(measured.wallMs, measured.peakRssMb);
 */

export interface Measured<T> {
  readonly value: T;
  readonly wallMs: number;
  /** User + system CPU time of this process while the work ran. */
  readonly cpuMs: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  /** Heap in use when the work was done (before any collection). */
  readonly endHeapMb: number;
}

export async function measure<T>(work: () => Promise<T>, sampleMs = 50): Promise<Measured<T>> {
  let peakRss = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, sampleMs);
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    const value = await work();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    sample();
    const endHeap = process.memoryUsage().heapUsed;
    // maxRSS catches a peak between samples (it is the process's lifetime peak, in KiB).
    peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
    return {
      value,
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      peakRssMb: mb(peakRss),
      peakHeapMb: mb(peakHeap),
      endHeapMb: mb(endHeap),
    };
  } finally {
    clearInterval(timer);
  }
}

export function mb(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}
