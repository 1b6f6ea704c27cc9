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

/**
 * The page in the app's look: its header bar with the name, a card on the app's grey, the app's
 * colours (the contrast-checked shades of web/src/theme.ts) and font, and one button back into
 * the app. Works on a phone (viewport, fluid width).
 */
export function renderMessagePage(page: MessagePage): string {
  const colour = page.tone === 'success' ? '#1f6b30' : '#b02525';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · ninja-sync</title>
<style>
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#000;background:#f8f9fa;line-height:1.55}
header{height:56px;display:flex;align-items:center;padding:0 16px;background:#fff;border-bottom:1px solid #dee2e6}
header a{font-size:1.4rem;font-weight:700;color:#000;text-decoration:none}
main{max-width:40rem;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:1.25rem 1.5rem}
h1{font-size:1.6rem;margin:0 0 .75rem;color:${colour}}
p{margin:.5rem 0;font-size:1rem}
.demo{background:#fff4e6;border:1px solid #a63a09;color:#7d4f00;padding:.5rem 1rem;border-radius:4px;margin:0 0 1rem}
a.button{display:inline-block;margin-top:1rem;padding:.5rem 1.1rem;background:#1971c2;color:#fff;border-radius:4px;text-decoration:none;font-weight:600}
a.button:hover,a.button:focus-visible{background:#1864ab}
a:focus-visible{outline:2px solid #1864ab;outline-offset:2px}
</style>
</head><body>
<header><a href="/">ninja-sync</a></header>
<main>
${page.demo ? '<p class="demo" role="note">Demo mode: NinjaOne and Oomnitza here are local emulators, not the real services.</p>' : ''}
<div class="card">
<h1 data-outcome="${page.tone}">${escapeHtml(page.title)}</h1>
${page.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<a class="button" href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.label)}</a>
</div>
</main>
</body></html>`;
}
