/**
 * Where the CLI writes: stdout for results, stderr for progress and problems. Passed to every
 * command so that tests can run `main` in-process and read what it printed.
 *
 * @example
 * const io = processIo();
 * io.out('done\n');
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars instead of log lines. */
  readonly interactive: boolean;
  /** Columns of the terminal, for the progress bar. */
  readonly columns: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY) && process.env['CI'] === undefined,
    columns: process.stderr.columns ?? 80,
    env: process.env,
    cwd: process.cwd(),
  };
}
