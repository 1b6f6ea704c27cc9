/**
 * What `ninja-sync run --config FILE` needs of a file that the server does not: the NinjaOne and
 * Oomnitza settings written in the file (from `${VARIABLES}`), since the CLI reads no server. A file
 * exported from the server names its stored credential and connection instead; each such line is a
 * problem here, with what to write in its place, so `validate` says it before `run` would refuse.
 * `validate`, `run` and the CLI's client builder all ask this one list.
 *
 * @example
 * for (const p of fileRunProblems(integration)) console.error(`${p.path.join('.')}: ${p.message(12)}`);
 */
import { parseNinjaOneUrl } from '../ninjaone/url.ts';
import { OomnitzaConfigError, parseOomnitzaBaseUrl } from '../oomnitza/base-url.ts';

import type { Integration } from './schema.ts';

export interface FileRunProblem {
  /** Where: the key that is wrong, or the section a missing key belongs in. */
  readonly path: readonly string[];
  /** The key that is missing from the section at `path`, when one is. */
  readonly missing?: string;
  /** What to change, given the line it is on (when known). */
  readonly message: (line?: number) => string;
}

const onLine = (line: number | undefined): string => (line === undefined ? 'this line' : `line ${line}`);

/** Every setting `ninja-sync run` lacks to run the file, in file order; none for a runnable file. */
export function fileRunProblems(integration: Integration): FileRunProblem[] {
  const { source, destination } = integration;
  const problems: FileRunProblem[] = [];
  if (source.credential !== undefined && source.clientId === undefined)
    problems.push({
      path: ['source', 'credential'],
      message: (line) =>
        `"${source.credential}" names a NinjaOne credential stored on a server, which "ninja-sync run" does not read; replace ${onLine(line)} with url: https://<your NinjaOne host>, clientId: \${NINJAONE_CLIENT_ID} and clientSecret: \${NINJAONE_CLIENT_SECRET} (or refreshToken: \${NINJAONE_REFRESH_TOKEN}). As it is, the file imports into a server unchanged (validate --server)`,
    });
  else {
    const url = source.url === undefined ? null : parseNinjaOneUrl(source.url, { allowInsecureHttp: integration.allowInsecureHttp });
    if (url?.ok === false) problems.push({ path: ['source', 'url'], message: () => url.message });
    if (source.url === undefined)
      problems.push({
        path: ['source'],
        missing: 'url',
        message: (line) =>
          `add url under source (${onLine(line)}): the NinjaOne URL, e.g. https://acme.rmmservice.com or https://eu.ninjarmm.com`,
      });
    if (source.clientId === undefined)
      problems.push({
        path: ['source'],
        missing: 'clientId',
        message: (line) =>
          `add clientId under source (${onLine(line)}): the client app id from NinjaOne (Administration → Apps → API), e.g. clientId: \${NINJAONE_CLIENT_ID}`,
      });
    if (source.clientSecret === undefined && source.refreshToken === undefined)
      problems.push({
        path: ['source'],
        missing: 'clientSecret',
        message: (line) =>
          `add clientSecret: \${NINJAONE_CLIENT_SECRET} under source (${onLine(line)}) for the client credentials grant, or refreshToken: \${NINJAONE_REFRESH_TOKEN}`,
      });
  }
  if (destination.connection !== undefined && destination.apiToken === undefined)
    problems.push({
      path: ['destination', 'connection'],
      message: (line) =>
        `"${destination.connection}" names an Oomnitza connection stored on a server, which "ninja-sync run" does not read; replace ${onLine(line)} with url: https://<your instance>.oomnitza.com and apiToken: \${OOMNITZA_API_TOKEN}. As it is, the file imports into a server unchanged (validate --server)`,
    });
  else {
    const urlProblem = destination.url === undefined ? null : oomnitzaUrlProblem(destination.url, integration.allowInsecureHttp);
    if (urlProblem !== null) problems.push({ path: ['destination', 'url'], message: () => urlProblem });
    if (destination.url === undefined)
      problems.push({
        path: ['destination'],
        missing: 'url',
        message: (line) => `add url under destination (${onLine(line)}): the Oomnitza URL, e.g. https://acme.oomnitza.com`,
      });
    if (destination.apiToken === undefined)
      problems.push({
        path: ['destination'],
        missing: 'apiToken',
        message: (line) => `add apiToken: \${OOMNITZA_API_TOKEN} under destination (${onLine(line)})`,
      });
  }
  return problems;
}

/** Why the Oomnitza client would refuse the URL, or null. */
function oomnitzaUrlProblem(url: string, allowInsecureHttp: boolean): string | null {
  try {
    parseOomnitzaBaseUrl(url, { allowInsecureHttp });
    return null;
  } catch (error) {
    if (error instanceof OomnitzaConfigError) return error.message;
    throw error;
  }
}
