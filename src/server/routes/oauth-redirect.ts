/**
 * `GET /oauth2/redirect`: where NinjaOne sends the admin back after consent. It finishes the flow
 * and shows a page that says what happened and what to do. The query (code, state) is never logged
 * (see `redactUrl` in `src/http/redact.ts`).
 */
import { resolveSession } from '../../accounts/sessions.ts';
import { completeAuthorization } from '../../credentials/oauth-flow.ts';
import { sessionCookie } from '../auth/authenticate.ts';
import { renderMessagePage } from '../pages.ts';

import type { RouteKit } from '../route-kit.ts';

export const oauthRedirectPath = '/oauth2/redirect';

export function registerOAuthRedirectRoute({ app, context }: RouteKit): void {
  app.get(oauthRedirectPath, async function oauthRedirect(request, reply) {
    const query = request.query as Record<string, string | string[] | undefined>;
    const repeated = ['code', 'state', 'error', 'error_description'].filter((name) => Array.isArray(query[name]));
    if (repeated.length > 0) {
      return reply
        .code(400)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(
          renderMessagePage({
            title: 'This sign-in link is malformed',
            tone: 'error',
            demo: context.demo !== undefined,
            paragraphs: [
              `The answer carries ${repeated.map((name) => `"${name}"`).join(' and ')} more than once, which NinjaOne never does.`,
              'What to do: start again from the credential with Authenticate; do not edit the redirect URL by hand.',
            ],
            link: { href: '/credentials', label: 'Back to credentials' },
          }),
        );
    }
    const single = (name: string): string | undefined => query[name] as string | undefined;
    const sessionId = request.cookies[sessionCookie];
    // Only a live admin session finishes what it started: one of a person disabled (or made a viewer)
    // since Authenticate was clicked is no longer that admin's, though the browser still sends its cookie.
    const session = sessionId ? await resolveSession(context.db, sessionId, context.now()) : null;
    const result = await completeAuthorization(context, {
      query: { code: single('code'), state: single('state'), error: single('error'), error_description: single('error_description') },
      sessionIdHash: session?.user.role === 'admin' ? session.idHash : null,
    });
    const demo = context.demo !== undefined;
    void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
    if (result.ok) {
      request.log.info({ credential: result.credential.id }, 'credential authenticated');
      return reply.send(
        renderMessagePage({
          title: 'NinjaOne connected',
          tone: 'success',
          demo,
          paragraphs: [
            `The credential "${result.credential.name}" is active.`,
            ...(result.warning
              ? [result.warning]
              : ['ninja-sync renews its access on its own; you will be told if NinjaOne ever asks for a new sign-in.']),
          ],
          link: { href: `/credentials/${encodeURIComponent(result.credential.id)}?authenticated=1`, label: 'Back to the credential' },
        }),
      );
    }
    request.log.warn({ code: result.code, credential: result.credentialId }, 'credential authentication failed');
    return reply.code(400).send(
      renderMessagePage({
        title: result.title,
        tone: 'error',
        demo,
        paragraphs: [result.message, `What to do: ${result.fix}`],
        link: result.credentialId
          ? { href: `/credentials/${encodeURIComponent(result.credentialId)}`, label: 'Back to the credential' }
          : { href: '/credentials', label: 'Back to credentials' },
      }),
    );
  });
}
