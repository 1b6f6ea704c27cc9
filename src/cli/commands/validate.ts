/**
 * `ninja-sync validate FILE`: checks an integration file and prints every problem on its own line,
 * as `FILE:LINE:COL  path  message`, the form editors and CI logs turn into links.
 *
 * The file is checked as `ninja-sync run` would run it: a stored credential or connection name (as
 * in a file exported from the server) is a problem, with the line to change and what to write;
 * `--server` checks it as a server's import takes it instead.
 *
 * With `--online` the mapping is also checked against the Oomnitza tenant's users data model (read
 * with the file's destination): fields that do not exist or are read-only, sync keys that are not
 * unique, values that cannot convert into their field's type — the checks a run makes first.
 *
 * A Local file (`installation: local`) names variables its agent resolves: they are not looked up
 * here (the file is checked as the server imports it), and the OK line lists them; `--online`
 * reads them from this environment to reach Oomnitza.
 *
 * @example
 * const code = await validateCommand(io, 'examples/ninjaone-users.yaml');   // 0 or 1
 * await validateCommand(io, 'examples/ninjaone-users.yaml', { online: true });
 */
import { substituteEnv } from '../../integrations/env-substitution.ts';
import { type IntegrationProblem, loadIntegrationFile } from '../../integrations/load.ts';
import { createOomnitzaClient } from '../../oomnitza/client.ts';
import { exitCodes } from '../exit-codes.ts';

import type { Integration } from '../../integrations/schema.ts';
import type { ValidateOptions } from '../../mapping/validate.ts';
import type { CliIo } from '../io.ts';

export async function validateCommand(
  io: CliIo,
  file: string,
  options: { readonly json?: boolean; readonly online?: boolean; readonly server?: boolean } = {},
): Promise<number> {
  let mapping: ValidateOptions | undefined;
  if (options.online) {
    const offline = await loadIntegrationFile(file, { env: io.env });
    if (offline.ok) {
      const model = await onlineModel(offline.integration);
      if (typeof model === 'string') io.err(`${file}: not checked against Oomnitza: ${model}\n`);
      else mapping = { oomnitzaFields: model };
    } else io.err(`${file}: not checked against Oomnitza: the file's Oomnitza settings are not usable yet (see the problems below)\n`);
  }
  // A file is checked for `ninja-sync run` unless it is meant for a server's import (--server).
  const result = await loadIntegrationFile(file, {
    env: io.env,
    agentResolvesLocal: true,
    fileRun: options.server !== true,
    ...(mapping === undefined ? {} : { mapping }),
  });
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
  if (integration.installation === 'local') {
    const names = [integration.source, integration.destination].flatMap((part) =>
      Object.values(part).flatMap((value) => (typeof value === 'string' ? substituteEnv(value, {}).used : [])),
    );
    io.out(
      `  Local: run by agent "${integration.agent ?? '(none named)'}", which must hold ${names.length > 0 ? [...new Set(names)].join(', ') : 'no variable'} (its environment or ninja-sync agent secret set)\n`,
    );
  }
  return exitCodes.ok;
}

export function formatProblem(file: string, problem: IntegrationProblem): string {
  const where = problem.line !== undefined ? `${file}:${problem.line}:${problem.column ?? 1}` : file;
  return `${where}  ${problem.path || '(file)'}  ${problem.message}`;
}

/** The tenant's users fields, or why they could not be read (said, then the offline checks stand). */
async function onlineModel(integration: Integration): Promise<NonNullable<ValidateOptions['oomnitzaFields']> | string> {
  const { url, apiToken, connection } = integration.destination;
  if (url === undefined || apiToken === undefined)
    return connection === undefined
      ? 'the file names no destination.url and destination.apiToken'
      : `destination.connection "${connection}" is a connection stored on a server; to check online, set destination.url and destination.apiToken (e.g. apiToken: \${OOMNITZA_API_TOKEN}) in place of it`;
  try {
    const model = await createOomnitzaClient({
      baseUrl: url,
      apiToken,
      allowInsecureHttp: integration.allowInsecureHttp,
      retry: { maxAttempts: 2 },
    }).readUserDataModel();
    return model.available ? model.fields : `${model.reason}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
