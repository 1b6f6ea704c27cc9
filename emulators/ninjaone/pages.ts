/**
 * The HTML pages of the emulated authorize endpoint: the consent screen (a real form with
 * "Authorize" and "Deny" buttons a browser test can click) and the error page shown when the
 * redirect URI cannot be trusted.
 *
 * @example
 * reply.type('text/html').send(consentPage(app, consent));
 */
import type { ClientApp } from './client-apps.ts';
import type { PendingConsent } from './oauth-store.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const scopeText: Record<string, string> = {
  monitoring: 'Read-only access to monitoring data and organization structure',
  management: 'Modify devices and organizations, run scripts',
  control: 'Remote access',
  offline_access: 'Stay connected (refresh token)',
};

export function consentPage(app: ClientApp, consent: PendingConsent, action: string): string {
  const scopes = consent.scopes.map((scope) => `<li>${escapeHtml(scope)}: ${escapeHtml(scopeText[scope] ?? scope)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize ${escapeHtml(app.name)} - NinjaOne (emulator)</title></head>
<body>
<h1>Authorize application</h1>
<p><strong id="client-name">${escapeHtml(app.name)}</strong> wants access to your NinjaOne account.</p>
<ul id="scopes">${scopes}</ul>
<form id="consent" method="post" action="${escapeHtml(action)}">
<input type="hidden" name="transaction" value="${escapeHtml(consent.id)}">
<button type="submit" id="authorize" name="decision" value="approve">Authorize</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>
</body></html>`;
}

export function errorPage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1 id="error">${escapeHtml(title)}</h1><p id="error-description">${escapeHtml(message)}</p></body></html>`;
}

export const notFoundPage =
  '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>';
