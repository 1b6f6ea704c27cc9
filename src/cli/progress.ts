/**
 * Progress of a run on the terminal: a one-line bar redrawn with `\r` on a TTY, plain log lines
 * otherwise (CI logs, pipes). It wraps the store's reporter, so every record still reaches the run
 * record; the display only counts.
 *
 * @example
 * const reporter = withProgress(storeReporter, io);
 * await runSync({ ..., reporter });
 * reporter.finish();
 */
import { emptyRunCounts } from '../sync/ports.ts';

import type { RecordOutcome, RecordOutcomeKind, RunCounts, RunPhase, RunReporter } from '../sync/ports.ts';
import type { CliIo } from './io.ts';

export interface ProgressReporter extends RunReporter {
  /** Clears the bar (or prints the last line) before the summary is printed. */
  finish(): void;
  readonly counts: Readonly<RunCounts>;
}

const phaseLabels: Record<RunPhase, string> = {
  fetching: 'Fetching NinjaOne users',
  mapping: 'Mapping',
  matching: 'Matching with Oomnitza',
  writing: 'Writing to Oomnitza',
  saas: 'SaaS users',
  done: 'Done',
};

/** Quiet when `enabled` is false (`--json`): the inner reporter still gets everything. */
export function withProgress(
  inner: RunReporter | null,
  io: CliIo,
  options: { readonly enabled?: boolean; readonly now?: () => number } = {},
): ProgressReporter {
  const now = options.now ?? Date.now;
  const enabled = options.enabled ?? true;
  const started = now();
  const counts: RunCounts = emptyRunCounts();
  let phase: RunPhase | null = null;
  let total: number | undefined;
  let done = 0;
  let lastDraw = 0;
  let lastLog = 0;
  let drawn = false;

  function elapsed(): string {
    return `${((now() - started) / 1000).toFixed(1)}s`;
  }

  function countsText(): string {
    return (Object.keys(counts) as RecordOutcomeKind[])
      .filter((k) => counts[k] > 0)
      .map((k) => `${k} ${counts[k]}`)
      .join(' · ');
  }

  /** Only the writing and SaaS phases report records one by one; the others are one step each. */
  function counted(): boolean {
    return phase === 'writing' || phase === 'saas';
  }

  function position(): string {
    if (total === undefined) return '';
    if (!counted()) return ` (${total} record${total === 1 ? '' : 's'})`;
    return ` ${Math.min(done, total)}/${total}`;
  }

  function draw(force: boolean): void {
    if (!enabled || phase === null) return;
    const t = now();
    if (io.interactive) {
      if (!force && t - lastDraw < 80) return;
      lastDraw = t;
      const label = phaseLabels[phase];
      const fraction = counted() && total !== undefined && total > 0 ? Math.min(done / total, 1) : null;
      const width = 24;
      const filled = fraction === null ? 0 : Math.round(fraction * width);
      const bar =
        fraction === null
          ? `${position().trim()} `
          : `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.min(done, total ?? done)}/${total} `;
      const line = `${label.padEnd(24)} ${bar}${countsText()}  ${elapsed()}`;
      io.err(`\r${line.slice(0, Math.max(io.columns - 1, 20)).padEnd(Math.min(io.columns - 1, 120))}`);
      drawn = true;
    } else if (force || (counted() && t - lastLog >= 2000)) {
      lastLog = t;
      const tally = counted() && countsText() ? ` — ${countsText()}` : '';
      io.err(`[${elapsed()}] ${phaseLabels[phase]}${position()}${tally}\n`);
    }
  }

  return {
    counts,
    phase(next, nextTotal) {
      // Off a terminal, a counted phase ends with its final tally.
      if (phase !== null && phase !== next && !io.interactive && counted() && done > 0) draw(true);
      inner?.phase(next, nextTotal);
      phase = next;
      total = nextTotal;
      done = 0;
      if (next !== 'done') draw(true);
    },
    async records(outcomes: readonly RecordOutcome[]) {
      for (const outcome of outcomes) {
        if (outcome.kind === 'user') counts[outcome.outcome]++;
        // The writing phase's total is every planned record (unchanged ones are reported too).
        if (counted()) done++;
      }
      draw(false);
      if (inner) await inner.records(outcomes);
    },
    finish() {
      if (!enabled) return;
      if (io.interactive && drawn) io.err(`\r${' '.repeat(Math.min(io.columns - 1, 120))}\r`);
    },
  };
}
