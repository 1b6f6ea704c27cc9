/**
 * The runs store: a run's life (queued → running → finished), its per-record outcomes, claiming by
 * workers and the stale-run watchdog.
 *
 * @example
 * import { createRun, startRun, createRunReporter, finishRun } from '../runs/index.ts';
 */
export type { ClaimOptions } from './claim.ts';
export { claimNextRun, failStaleRuns } from './claim.ts';
export { IllegalRunTransitionError, IntegrationBusyError, RunNotFoundError } from './errors.ts';
export type { Run, RunTrigger, TerminalRunState } from './run.ts';
export { rowToRun, runTransitions, runTriggers, statesBefore } from './run.ts';
export type { ListRunRecordsOptions, RunRecord } from './run-records.ts';
export { insertRunRecords, listRunRecords, rowToRunRecord } from './run-records.ts';
export type { StoreRunReporter } from './run-reporter.ts';
export { createRunReporter } from './run-reporter.ts';
export type { CreateRunInput, FinishRunInput, HeartbeatResult, ListRunsOptions } from './run-store.ts';
export { createRun, finishRun, getRun, heartbeat, listRuns, requestCancel, startRun } from './run-store.ts';
