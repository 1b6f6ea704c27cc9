/**
 * A `CliIo` that records what a command printed, for in-process CLI tests.
 *
 * @example
 * const io = captureIo({ env: { OOMNITZA_API_TOKEN: 't' } });
 * assert.equal(await main(['validate', file], io), 0);
 * assert.match(io.stdout(), /OK/);
 */
import type { CliIo } from './io.ts';

export interface CapturedIo extends CliIo {
  stdout(): string;
  stderr(): string;
}

export function captureIo(
  options: { readonly env?: Record<string, string | undefined>; readonly interactive?: boolean; readonly cwd?: string } = {},
): CapturedIo {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    interactive: options.interactive ?? false,
    columns: 100,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdout: () => out,
    stderr: () => err,
  };
}
