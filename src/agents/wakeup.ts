/**
 * Wakes long-polling agents when there is new work ("Run now", a schedule that came due), so a run
 * starts at once instead of at the agent's next look. In-process only: with several server
 * processes, a poll still finds the run at its next look (every second).
 *
 * @example
 * const wakeup = createWakeup();
 * await wakeup.wait(1_000); // resolves after 1 s, or at once when wake() is called
 * wakeup.wake();
 */
export interface Wakeup {
  wake(): void;
  wait(ms: number): Promise<void>;
}

export function createWakeup(): Wakeup {
  const waiters = new Set<() => void>();
  return {
    wake() {
      for (const resolve of [...waiters]) resolve();
    },
    wait(ms) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        waiters.add(done);
      });
    },
  };
}
