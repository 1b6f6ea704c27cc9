/**
 * Room on the heap for a vendor's answer, in a thread with a heap limit (the runs' thread of
 * `serve`, `NINJA_SYNC_RUN_MEMORY_MB`). Past its limit V8 stops such a thread cleanly only between
 * small steps; inside one large step (decoding or parsing an answer of many megabytes, such as
 * NinjaOne's whole user list) it stops the whole process, server included. So an answer that would
 * not fit is refused before that step, and the run fails naming the setting to raise.
 * Elsewhere (the API's thread, the CLI, the agent) there is no such limit and nothing is refused.
 *
 * @example
 * const problem = heapRoomProblem(text.length); // null, or "its answer of 17 MB needs more memory than…"
 */
import { getHeapStatistics } from 'node:v8';
import { isMainThread, resourceLimits } from 'node:worker_threads';

const megabyte = 1024 * 1024;

/**
 * What an answer may take on the heap per byte of its body, at most: its text (two bytes a
 * character when it is not all Latin-1) and the objects JSON.parse makes of it (measured at about
 * 1.1 bytes per byte for NinjaOne's users).
 */
const heapBytesPerBodyByte = 4;

/** Why an answer of `bodyBytes` would not fit this thread's heap limit; null when it fits or there is no limit. */
export function heapRoomProblem(bodyBytes: number): string | null {
  if (isMainThread) return null;
  const limitMb = resourceLimits.maxOldGenerationSizeMb;
  if (limitMb === undefined || limitMb <= 0) return null;
  const { used_heap_size: used } = getHeapStatistics();
  if (used + bodyBytes * heapBytesPerBodyByte <= limitMb * megabyte) return null;
  return `its answer of ${(bodyBytes / megabyte).toFixed(1)} MB needs more memory than the ${limitMb} MB a run may use; raise NINJA_SYNC_RUN_MEMORY_MB`;
}

/** The code of the error `exchange` rejects with when an answer would not fit. */
export const heapRoomCode = 'EHEAPROOM';
