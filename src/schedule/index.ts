/**
 * Schedules and watchdogs: when each integration runs, turning due schedules into queued runs on
 * one process or many, and the checks that raise alerts when runs fail, hang or do not start.
 *
 * @example
 * import { planDueRuns, runWatchdogs, applyWatchdogFindings, schedulePreview } from '../schedule/index.ts';
 */
export { describeNextRuns, describeSchedule, describeTime } from './describe.ts';
export type { MissedSchedule, PlanOptions, PlanResult } from './plan-due-runs.ts';
export { defaultGraceMs, planDueRuns } from './plan-due-runs.ts';
export type { SchedulePreview } from './preview.ts';
export { schedulePreview } from './preview.ts';
export type { ScheduleProblem, ScheduleState } from './schedule-state.ts';
export { getScheduleState, rowToScheduleState, scheduleOfDocument, setCatchUp, syncScheduleStates } from './schedule-state.ts';
export type { CompiledSchedule } from './schedule-times.ts';
export { compileSchedule, intervalMinutes, nextRuns, ScheduleError } from './schedule-times.ts';
export type { TickOptions, TickResult } from './tick.ts';
export { schedulerTick } from './tick.ts';
export type { AlertClearing, AlertFinding, WatchdogFindings, WatchdogOptions } from './watchdogs.ts';
export {
  alertsForFinishedRun,
  applyWatchdogFindings,
  checkCredentials,
  checkFinishedRuns,
  checkLongRuns,
  checkMissedStarts,
  defaultErrorShare,
  defaultMaxRunMs,
  runWatchdogs,
} from './watchdogs.ts';
