/**
 * Ctrl-C (or SIGTERM) during a sync the command line runs itself (`run`, `demo`): the first one
 * cancels at the run's next safe point, so the run is stored as canceled and a rerun is safe; a
 * second one quits at once.
 *
 * @example
 * const interrupt = cancelOnSignal((signal) => io.err(`${signal}: canceling…\n`));
 * try { await runOnce({ ...input, signal: interrupt.signal }); } finally { interrupt.dispose(); }
 */
import { exitCodes } from './exit-codes.ts';

export interface Interrupt {
  /** Aborted at the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Gives the signals back to Node's defaults. */
  dispose(): void;
}

export function cancelOnSignal(onFirst: (signal: NodeJS.Signals) => void): Interrupt {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(exitCodes.canceled);
    onFirst(signal);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
