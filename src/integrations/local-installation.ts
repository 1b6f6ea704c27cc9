/**
 * The rules of a Local installation, for an integration stored on the server. A Local integration
 * runs on the customer's side, in the `ninja-sync agent` it is assigned to, and its credentials
 * never leave that machine: the server stores only the names of the variables the agent resolves
 * (`clientSecret: ${NINJAONE_CLIENT_SECRET}`), never a secret, never a stored credential. OAuth is
 * not available for it (NinjaOne's doc: it uses client credentials), so no refresh token either.
 *
 * @example
 * const { problems, agentId } = await localInstallationProblems(db, document);
 */
import type { AppDb } from '../db/app-database.ts';
import type { Integration } from './schema.ts';

export interface LocalProblem {
  readonly path: string;
  readonly message: string;
}

/** Exactly one `${NAME}` reference, nothing else: how a Local integration names a secret. */
const wholeReference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The variable a secret field names, or null when the value is not a single `${NAME}`. */
export function referencedVariable(value: string | undefined): string | null {
  return value === undefined ? null : (wholeReference.exec(value)?.[1] ?? null);
}

export const oauthNotAvailable =
  'OAuth is not available for a Local installation: it uses client credentials. Give source.clientId and source.clientSecret: ${NINJAONE_CLIENT_SECRET}, which the agent holds';

/**
 * Every problem of a document under the Local rules (none for Cloud, except naming an agent), and
 * the id of the agent it is assigned to (null for Cloud or when the agent is unknown).
 */
export async function localInstallationProblems(
  db: AppDb,
  document: Integration,
): Promise<{ problems: LocalProblem[]; agentId: string | null }> {
  const problems: LocalProblem[] = [];
  if (document.installation !== 'local') {
    if (document.agent !== undefined)
      problems.push({
        path: 'agent',
        message: 'only a Local installation is assigned to an agent: remove agent, or set installation: local',
      });
    return { problems, agentId: null };
  }
  const { source, destination } = document;
  let agentId: string | null = null;
  if (document.agent === undefined) {
    problems.push({ path: 'agent', message: 'a Local installation is run by an agent: assign one (add it under Agents first)' });
  } else {
    const agent = await db.selectFrom('agents').select(['id', 'revoked_at']).where('name', '=', document.agent).executeTakeFirst();
    if (agent === undefined)
      problems.push({ path: 'agent', message: `there is no agent named "${document.agent}"; add it under Agents or pick an existing one` });
    else if (agent.revoked_at !== null)
      problems.push({ path: 'agent', message: `the agent "${document.agent}" was revoked; pick another agent or enroll a new one` });
    else agentId = agent.id;
  }
  if (source.credential !== undefined) {
    const stored = await db.selectFrom('credentials').select('grant_type').where('name', '=', source.credential).executeTakeFirst();
    problems.push({
      path: 'source.credential',
      message:
        stored?.grant_type === 'authorization_code'
          ? `"${source.credential}" is an OAuth credential. ${oauthNotAvailable}`
          : 'a Local installation keeps its credentials on the agent, not on the server: remove source.credential and give source.url, source.clientId and source.clientSecret: ${NINJAONE_CLIENT_SECRET}',
    });
  }
  if (source.refreshToken !== undefined) problems.push({ path: 'source.refreshToken', message: oauthNotAvailable });
  if (destination.connection !== undefined)
    problems.push({
      path: 'destination.connection',
      message:
        'a Local installation keeps the Oomnitza API token on the agent: remove destination.connection and give destination.url and destination.apiToken: ${OOMNITZA_API_TOKEN}',
    });
  if (source.url === undefined)
    problems.push({ path: 'source.url', message: 'the NinjaOne URL the agent reaches, e.g. https://acme.rmmservice.com' });
  if (source.clientId === undefined)
    problems.push({ path: 'source.clientId', message: 'the client id of the NinjaOne API client app (client credentials grant)' });
  secretName(problems, 'source.clientSecret', source.clientSecret, 'NINJAONE_CLIENT_SECRET');
  if (destination.url === undefined)
    problems.push({ path: 'destination.url', message: 'the Oomnitza URL the agent reaches, e.g. https://acme.oomnitza.com' });
  secretName(problems, 'destination.apiToken', destination.apiToken, 'OOMNITZA_API_TOKEN');
  return { problems, agentId };
}

function secretName(problems: LocalProblem[], path: string, value: string | undefined, example: string): void {
  if (value === undefined) {
    problems.push({ path, message: `name the variable the agent holds this secret in, e.g. \${${example}}` });
  } else if (referencedVariable(value) === null) {
    // Never echo the value: it may be the secret itself.
    problems.push({
      path,
      message: `the server stores only the name of a Local secret: write \${${example}} (a variable set on the agent, or in its sealed store) instead of a value`,
    });
  }
}
