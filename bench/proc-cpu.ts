/**
 * CPU time of other processes, from /proc (Linux; null elsewhere), so the benchmarks can say who
 * used the machine's cores: the sync, the emulators or the database.
 *
 * @example
 * const before = await processCpuSeconds(child.pid);
 * const database = await processTreeCpuSeconds(postmasterPid); // with its backends, live and ended
 */
import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks a second of /proc's times (USER_HZ, 100 on Linux). */
const ticks = 100;

interface Stat {
  readonly ppid: number;
  /** utime + stime, in seconds. */
  readonly own: number;
  /** cutime + cstime: children that ended and were waited for, in seconds. */
  readonly children: number;
}

async function stat(pid: number): Promise<Stat | null> {
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ').at(-1)?.split(' ') ?? [];
    return {
      ppid: Number(fields[1]),
      own: (Number(fields[11]) + Number(fields[12])) / ticks,
      children: (Number(fields[13]) + Number(fields[14])) / ticks,
    };
  } catch {
    return null;
  }
}

/** User + system CPU seconds one process has used so far. */
export async function processCpuSeconds(pid: number | undefined | null): Promise<number | null> {
  if (pid === undefined || pid === null) return null;
  return (await stat(pid))?.own ?? null;
}

/**
 * CPU seconds of a process and its children: the live ones (e.g. PostgreSQL backends serving open
 * connections) and those that ended (counted in the parent once it has waited for them).
 */
export async function processTreeCpuSeconds(pid: number | undefined | null): Promise<number | null> {
  if (pid === undefined || pid === null) return null;
  const root = await stat(pid);
  if (root === null) return null;
  let total = root.own + root.children;
  for (const entry of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const child = await stat(Number(entry));
    if (child?.ppid === pid) total += child.own;
  }
  return total;
}
