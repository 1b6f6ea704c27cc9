/**
 * Small server-rendered pages for moments outside the web UI (the OAuth redirect). Every value is
 * escaped; the pages load nothing from elsewhere.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface MessagePage {
  readonly title: string;
  readonly tone: 'success' | 'error';
  readonly paragraphs: readonly string[];
  readonly link: { readonly href: string; readonly label: string };
  readonly demo?: boolean;
}

export function renderMessagePage(page: MessagePage): string {
  const colour = page.tone === 'success' ? '#1b7f3b' : '#b42318';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · ninja-sync</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d2939}
h1{color:${colour};font-size:1.5rem}.demo{background:#fff4e5;border:1px solid #f79009;padding:.5rem 1rem;border-radius:6px}
a.button{display:inline-block;margin-top:1rem;padding:.5rem 1rem;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none}</style>
</head><body>
${page.demo ? '<p class="demo" role="note">Demo mode: NinjaOne and Oomnitza here are local emulators, not the real services.</p>' : ''}
<h1 data-outcome="${page.tone}">${escapeHtml(page.title)}</h1>
${page.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<a class="button" href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.label)}</a>
</body></html>`;
}
