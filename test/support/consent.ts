/**
 * Plays the admin's browser through the NinjaOne emulator's consent screen, over real HTTP: opens
 * the authorize URL, answers the consent form, and returns where NinjaOne redirects to.
 *
 * @example
 * const redirect = await answerConsent(authorizeUrl, 'approve');
 * const page = await admin.fetchRaw(redirect); // our /oauth2/redirect, with the session cookie
 */
import assert from 'node:assert/strict';

export async function answerConsent(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<string> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  if (page.status === 302) return page.headers.get('location') ?? assert.fail('a redirect without a Location');
  const html = await page.text();
  assert.equal(page.status, 200, `the consent page did not open: ${html.slice(0, 200)}`);
  const transaction = /name="transaction" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(transaction, 'the consent page has a transaction field');
  const answer = await fetch(authorizeUrl.split('?')[0]!, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ transaction, decision }).toString(),
  });
  assert.equal(answer.status, 302, 'the consent answer redirects back');
  return answer.headers.get('location') ?? assert.fail('a redirect without a Location');
}
