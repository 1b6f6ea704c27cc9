/**
 * Helpers for the screen-by-screen browser tests: sign in through the real sign-in page, and run
 * axe-core (from node_modules, injected into the page) to list serious and critical problems.
 *
 * @example
 * await signIn(page, server.url, 'it@acme.example', password);
 * assert.deepEqual(await axeProblems(page), []);
 */
import { createRequire } from 'node:module';

import type { Page } from 'playwright-core';

const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly html: string; readonly failureSummary?: string }[];
}

/**
 * Serious and critical axe-core violations on the page as it stands (transitions settled), one line each: rule, help and
 * the first elements at fault (their HTML).
 */
export async function axeProblems(page: Page): Promise<string[]> {
  if ((await page.evaluate("typeof window.axe === 'undefined'")) === true) {
    await page.addScriptTag({ path: axeScript });
    // Colours are judged as they settle: a button half-way through its colour transition (Disable
    // turning into Enable) is neither, and axe would judge the blend.
    await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' });
  }
  const violations = await page.evaluate<AxeViolation[]>('window.axe.run(document).then((result) => result.violations)');
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const where = v.nodes.slice(0, 3).map((n) => n.html.slice(0, 160));
      const more = v.nodes.length > 3 ? ` and ${String(v.nodes.length - 3)} more` : '';
      return `${v.id} (${String(v.impact)}): ${v.help} — ${where.join(' | ')}${more}`;
    });
}
