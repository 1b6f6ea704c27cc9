import assert from 'node:assert/strict';
import { test } from 'node:test';

/**
 * The claim answer as the agent reads it: the optional user links (bounded, strict), the header by
 * which it says it reads them, what an older agent's strict parse makes of an answer, and how the
 * agent turns the links into its run's link source.
 */
import { agentReadsOf, claimAnswerSchema, maxClaimLinks, maxLinkLabel } from '../contracts/agent-protocol.ts';
import { integrationSchema } from '../integrations/schema.ts';
import { RunSetupError } from '../runs/run-executor.ts';
import { linksOf } from './agent.ts';

const document = integrationSchema.parse({
  name: 'Site A users',
  installation: 'local',
  agent: 'site-a',
  source: { url: 'https://acme.rmmservice.com', clientId: 'a', clientSecret: '${NINJAONE_CLIENT_SECRET}' },
  destination: { url: 'https://acme.oomnitza.com', apiToken: '${OOMNITZA_API_TOKEN}' },
  syncKeys: ['email'],
  mapping: { email: 'email' },
  offboarding: { policy: 'suspend' },
});
const answer = {
  run: { id: 'r1', integrationId: 'i1', dryRun: false, trigger: 'manual', queuedAt: '2026-12-01T00:00:00.000Z' },
  integration: { id: 'i1', name: 'Site A users', enabled: true, updatedAt: '2026-12-01T00:00:00.000Z', document },
};
const link = { oomnitzaUid: 'o1', ninjaoneUid: 'n1', ninjaoneId: '1', label: 'ada@acme.example', suspended: false };

test('agentReadsOf: the known names of the header, any case and spacing; unknown names and no header read nothing', () => {
  assert.deepEqual([...agentReadsOf('links')], ['links']);
  assert.deepEqual([...agentReadsOf(' futureThing , LINKS')], ['links']);
  assert.deepEqual([...agentReadsOf(['other', 'links'])], ['links']);
  assert.equal(agentReadsOf(undefined).size, 0);
  assert.equal(agentReadsOf('link').size, 0);
});

test('claim answer: links are optional, strict and bounded', () => {
  assert.equal(claimAnswerSchema.parse(answer).links, undefined, 'absent when the policy needs none');
  assert.deepEqual(claimAnswerSchema.parse({ ...answer, links: [link] }).links, [link]);
  assert.equal(claimAnswerSchema.safeParse({ ...answer, links: [{ ...link, extra: 1 }] }).success, false);
  assert.equal(claimAnswerSchema.safeParse({ ...answer, links: [{ ...link, oomnitzaUid: '' }] }).success, false);
  assert.equal(claimAnswerSchema.safeParse({ ...answer, links: [{ ...link, label: 'x'.repeat(maxLinkLabel + 1) }] }).success, false);
  assert.equal(claimAnswerSchema.safeParse({ ...answer, links: Array.from({ length: maxClaimLinks + 1 }, () => link) }).success, false);
});

test('version skew: an answer without links is exactly what an agent older than links parses strictly', () => {
  // The claim answer as agents before links knew it: the same strict object without the field.
  const older = claimAnswerSchema.omit({ links: true });
  assert.ok(older.safeParse(answer).success);
  assert.equal(
    older.safeParse({ ...answer, links: [] }).success,
    false,
    'which is why the server sends links only to agents that read them',
  );
});

test('linksOf: the links as the run reads them; none for policy leave; a suspend run without them fails rather than suspending nobody', async () => {
  const withLinks = claimAnswerSchema.parse({ ...answer, links: [link] });
  assert.deepEqual(await linksOf(withLinks).links?.listLinks(), [link]);
  const leave = claimAnswerSchema.parse({
    ...answer,
    integration: { ...answer.integration, document: { ...document, offboarding: { policy: 'leave' } } },
  });
  assert.deepEqual(linksOf(leave), {});
  assert.throws(
    () => linksOf(claimAnswerSchema.parse(answer)),
    (error: unknown) => {
      assert.ok(error instanceof RunSetupError);
      assert.match(error.message, /sent no user links .* update the ninja-sync server, or set offboarding\.policy to leave/);
      return true;
    },
  );
});
