/**
 * Small HTTP helpers for the NinjaOne emulator's own tests: PKCE pairs, token requests, and walking
 * the authorize → consent → redirect flow the way a browser would (a GET, then the consent form's
 * POST), without following the final redirect.
 *
 * @example
 * const { code } = await authorizeAndApprove(emulator.url, { client_id: 'demo-web', redirect_uri, scope: 'monitoring offline_access' });
 */
import { createHash, randomBytes } from 'node:crypto';

export const redirectUri = 'http://127.0.0.1:9/oauth2/redirect';

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function postToken(
  baseUrl: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
  path = '/ws/oauth/token',
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', body: new URLSearchParams(form), headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

export async function getAuthorize(baseUrl: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${baseUrl}/ws/oauth/authorize?${new URLSearchParams(params).toString()}`, { redirect: 'manual' });
}

/** The transaction id of the consent form in a consent page. */
export function consentTransaction(html: string): string {
  const match = /name="transaction" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no consent form in page');
  return match[1];
}

/** Posts the consent form as a browser would when a button is clicked; returns the redirect Location. */
export async function decide(baseUrl: string, transaction: string, decision: 'approve' | 'deny'): Promise<URL> {
  const response = await fetch(`${baseUrl}/ws/oauth/authorize`, {
    method: 'POST',
    body: new URLSearchParams({ transaction, decision }),
    redirect: 'manual',
  });
  if (response.status !== 302) throw new Error(`consent answered ${response.status}`);
  return new URL(response.headers.get('location') ?? '');
}

/** GET authorize, click "Authorize", return the redirect's query parameters. */
export async function authorizeAndApprove(baseUrl: string, params: Record<string, string>): Promise<URLSearchParams> {
  const page = await getAuthorize(baseUrl, { response_type: 'code', ...params });
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${page.headers.get('location') ?? ''}`);
  return (await decide(baseUrl, consentTransaction(await page.text()), 'approve')).searchParams;
}

export async function apiGet(baseUrl: string, path: string, accessToken: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
}

export async function clientToken(baseUrl: string, scope?: string): Promise<string> {
  const { body } = await postToken(baseUrl, {
    grant_type: 'client_credentials',
    client_id: 'demo-m2m',
    client_secret: 'demo-m2m-secret',
    ...(scope ? { scope } : {}),
  });
  if (typeof body.access_token !== 'string') throw new Error('no access token');
  return body.access_token;
}
