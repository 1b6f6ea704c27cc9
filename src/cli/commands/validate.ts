/**
 * `ninja-sync validate FILE`: checks an integration file and prints every problem on its own line,
 * as `FILE:LINE:COL  path  message`, the form editors and CI logs turn into links.
 *
 * @example
 * const code = await validateCommand(io, 'examples/ninjaone-users.yaml');   // 0 or 1
 */
import { type IntegrationProblem, loadIntegrationFile } from '../../integrations/load.ts';
import { exitCodes } from '../exit-codes.ts';

import type { CliIo } from '../io.ts';

export async function validateCommand(io: CliIo, file: string, options: { readonly json?: boolean } = {}): Promise<number> {
  const result = await loadIntegrationFile(file, { env: io.env });
  if (options.json) {
    io.out(`${JSON.stringify({ file, ok: result.ok, problems: result.problems })}\n`);
    return result.ok ? exitCodes.ok : exitCodes.failed;
  }
  if (!result.ok) {
    for (const problem of result.problems) io.out(`${formatProblem(file, problem)}\n`);
    const count = result.problems.length;
    io.err(`${file}: ${count} problem${count === 1 ? '' : 's'}\n`);
    return exitCodes.failed;
  }
  const { integration } = result;
  const fields = Object.keys(integration.mapping).length;
  io.out(
    `${file}: OK — "${integration.name}": ${fields} mapped field${fields === 1 ? '' : 's'}, sync keys ${integration.syncKeys.join(' > ')}, ${integration.preference.replaceAll('_', ' ')}, record type ${integration.recordType}\n`,
  );
  return exitCodes.ok;
}

export function formatProblem(file: string, problem: IntegrationProblem): string {
  const where = problem.line !== undefined ? `${file}:${problem.line}:${problem.column ?? 1}` : file;
  return `${where}  ${problem.path || '(file)'}  ${problem.message}`;
}
