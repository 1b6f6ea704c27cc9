/**
 * The agent's reporter for the shared run executor (`src/runs/run-executor.ts`): what the runs store
 * does for a worker, done over HTTP. Records go to the server in numbered batches, in call order,
 * one at a time; a phase travels with a heartbeat in the same queue; `finish` goes last, after
 * every batch. Each call is retried until the server answers (see `server-client.ts`), so a lost
 * connection delays the report but never loses or doubles it.
 *
 * When the server says the run is no longer running (finished elsewhere, canceled, or failed as
 * vanished while the agent was cut off), heartbeats answer `stop` and further batches are dropped.
 *
 * @example
 * const reporter = createRemoteReporter(server, run.id);
 * await executeRun({ integration, endpoints, reporter, dryRun: run.dryRun, heartbeatMs });
 */
import { maxBatchRecords } from '../contracts/agent-protocol.ts';
import { ServerAnswerError } from './server-client.ts';

import type { RunEnd, RunExecutionReporter } from '../runs/run-executor.ts';
import type { RecordOutcome, RunPhase } from '../sync/ports.ts';
import type { ServerClient } from './server-client.ts';

export interface RemoteReporter extends RunExecutionReporter {
  /** Batches the server has stored (resends included once). */
  batchesSent(): number;
}

export function createRemoteReporter(server: ServerClient, runId: string): RemoteReporter {
  let tail: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  let nextBatch = 1;
  let gone = false;

  function enqueue(step: () => Promise<void>): Promise<void> {
    tail = tail.then(async () => {
      if (failure !== null || gone) return;
      try {
        await step();
      } catch (error) {
        if (error instanceof ServerAnswerError && error.code === 'run_not_running') {
          gone = true; // the server ended the run; the executor stops at its next heartbeat
          return;
        }
        failure = error instanceof Error ? error : new Error(String(error));
      }
    });
    return tail.then(() => {
      if (failure !== null) throw failure;
    });
  }

  return {
    phase(phase: RunPhase, total?: number): void {
      enqueue(async () => {
        const answer = await server.heartbeat(runId, { phase, phaseTotal: total ?? null });
        if (!answer.running) gone = true;
      }).catch(() => {
        // Kept in `failure` and rethrown by the next records() or flush().
      });
    },
    records(outcomes: readonly RecordOutcome[]): Promise<void> {
      const copy = outcomes.map(plainOutcome);
      return enqueue(async () => {
        for (let start = 0; start < copy.length; start += maxBatchRecords) {
          const batch = nextBatch;
          await server.records(runId, { batch, records: copy.slice(start, start + maxBatchRecords) });
          nextBatch = batch + 1;
        }
      });
    },
    async heartbeat() {
      if (gone) return { stop: true };
      const answer = await server.heartbeat(runId, {});
      if (!answer.running) gone = true;
      return { stop: !answer.running || answer.cancelRequested };
    },
    flush: () => enqueue(async () => {}),
    async finish(end: RunEnd) {
      await tail;
      await server.finish(runId, {
        state: end.state,
        ...(end.counts === undefined ? {} : { counts: end.counts }),
        ...(end.saasCounts === undefined ? {} : { saasCounts: end.saasCounts }),
        error: end.error,
        fuseReason: end.fuseReason,
      });
    },
    batchesSent: () => nextBatch - 1,
  };
}

/** Exactly the fields of the contract (a record object may carry more in memory). */
function plainOutcome(o: RecordOutcome) {
  return {
    sourceId: o.sourceId === null ? null : String(o.sourceId),
    label: String(o.label),
    kind: o.kind,
    outcome: o.outcome,
    reason: o.reason,
    destinationId: o.destinationId,
    changes: o.changes.map((c) => ({ field: c.field, old: c.old ?? null, new: c.new ?? null })),
    // The NinjaOne uid: from it the server keeps the integration's user links, which offboarding needs.
    ...(o.sourceUid == null ? {} : { sourceUid: o.sourceUid }),
  };
}
