/**
 * The user links a claimed run of a Local integration takes to its agent. Offboarding works from
 * them (`src/sync/offboard.ts`): whom the integration manages, and which of those it suspended.
 * The server keeps them from every run's reported outcomes, the agent's included (`appendRunRecords`),
 * so handing them over with the claim is all an agent needs to suspend and unsuspend as a Cloud
 * run does. Only a `suspend` policy needs them; otherwise the answer stays as small as before.
 *
 * An agent that does not say it reads them (older than this) would refuse a claim answer carrying
 * them (it parses strictly), and without them would run the integration without offboarding; so
 * such a claim is not handed over: the run fails with a message that says to update the agent.
 *
 * @example
 * const handed = await claimLinks(db, run, document, { agentName: 'site-a', reads: agentReadsOf(request.headers[agentReadsHeader]) });
 * if (!handed.ok) await finishRun(db, run.id, { state: 'failed', error: handed.error, fuseReason: null, now });
 */
import { maxClaimLinks, maxLinkLabel } from '../contracts/agent-protocol.ts';
import { linkKey, listUserLinks } from '../runs/user-links.ts';

import type { AgentReads } from '../contracts/agent-protocol.ts';
import type { AppDb } from '../db/app-database.ts';
import type { Integration } from '../integrations/schema.ts';
import type { Run } from '../runs/run.ts';
import type { UserLink } from '../sync/ports.ts';

export type ClaimLinks =
  /** `links` absent: the policy needs none. */
  | { readonly ok: true; readonly links?: UserLink[] }
  /** The run cannot be done as asked by this agent: fail it with `error`. */
  | { readonly ok: false; readonly error: string };

/** The links to send with a claim of `run`, or why the run cannot go to this agent. */
export async function claimLinks(
  db: AppDb,
  run: Pick<Run, 'integrationId' | 'integrationName'>,
  document: Integration,
  by: { readonly agentName: string; readonly reads: ReadonlySet<AgentReads> },
): Promise<ClaimLinks> {
  if (document.offboarding?.policy !== 'suspend') return { ok: true };
  if (!by.reads.has('links'))
    return {
      ok: false,
      error: `The agent "${by.agentName}" is older than offboarding for Local integrations: it cannot read the user links that say whom offboarding.policy suspend may suspend, so the run was not handed to it. Update ninja-sync on the agent's machine and run again, or set offboarding.policy to leave.`,
    };
  const links = await listUserLinks(db, linkKey(run));
  if (links.length > maxClaimLinks)
    return {
      ok: false,
      error: `The integration manages ${String(links.length)} users, more than the ${String(maxClaimLinks)} user links a Local run is handed for offboarding. Set offboarding.policy to leave, or run the integration as Cloud.`,
    };
  // A label only names a user who left; a long one is cut rather than refused by the agent.
  return {
    ok: true,
    links: links.map((link) => (link.label.length > maxLinkLabel ? { ...link, label: link.label.slice(0, maxLinkLabel) } : link)),
  };
}
