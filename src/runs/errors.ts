/**
 * Errors of the runs store. Each says which run and what to do; callers map them to API answers
 * (404 for RunNotFoundError, 409 for the other two).
 *
 * @example
 * if (error instanceof IllegalRunTransitionError) reply.code(409);
 */
import type { RunState } from '../sync/ports.ts';

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
  readonly runId: string;
  constructor(runId: string, options?: { cause?: unknown }) {
    super(`run ${runId} does not exist; list runs to find its id`, options);
    this.runId = runId;
  }
}

/** A change of state the run's state machine does not allow (e.g. finishing a queued run twice). */
export class IllegalRunTransitionError extends Error {
  override readonly name = 'IllegalRunTransitionError';
  readonly runId: string;
  readonly from: RunState;
  readonly to: RunState;
  constructor(runId: string, from: RunState, to: RunState, options?: { cause?: unknown }) {
    super(`run ${runId} is ${from} and cannot become ${to}`, options);
    this.runId = runId;
    this.from = from;
    this.to = to;
  }
}

/** The integration already has a running run; the database allows one at a time. */
export class IntegrationBusyError extends Error {
  override readonly name = 'IntegrationBusyError';
  readonly runId: string;
  readonly integrationId: string | null;
  constructor(runId: string, integrationId: string | null, options?: { cause?: unknown }) {
    super(
      `run ${runId} cannot start: integration ${integrationId ?? '(none)'} already has a running run; wait for it to finish or cancel it`,
      options,
    );
    this.runId = runId;
    this.integrationId = integrationId;
  }
}
