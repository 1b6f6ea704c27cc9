/**
 * The exit codes of `ninja-sync`, one place, so `--help`, the code and the tests agree.
 *
 * @example
 * return exitCodeOfRunState(result.state);   // 'completed_with_errors' → 2
 */
import type { RunState } from '../sync/ports.ts';

export const exitCodes = {
  /** The run succeeded, or the command did what it was asked. */
  ok: 0,
  /** The run failed as a whole (bad credentials, unreachable service, fuse tripped), or problems were found. */
  failed: 1,
  /** The run finished, but some records failed or were skipped with errors. */
  completedWithErrors: 2,
  /** The run was canceled (Ctrl-C or SIGTERM). */
  canceled: 3,
  /** The command line was wrong (unknown option, missing argument). BSD's EX_USAGE. */
  usage: 64,
} as const;

export const exitCodeHelp = `Exit codes:
  0   succeeded (or, for validate, no problems)
  1   failed (or, for validate, problems found)
  2   completed with errors: some records failed
  3   canceled (SIGINT/SIGTERM)
  64  usage error (unknown option, missing argument)`;

export function exitCodeOfRunState(state: RunState): number {
  switch (state) {
    case 'succeeded':
      return exitCodes.ok;
    case 'completed_with_errors':
      return exitCodes.completedWithErrors;
    case 'canceled':
      return exitCodes.canceled;
    default:
      return exitCodes.failed;
  }
}
