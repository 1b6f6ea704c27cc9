/**
 * A very small client-side router: the path is the state, `navigate` pushes history, `<Link>`
 * keeps normal link behaviour (open in a new tab works) and the server answers index.html for
 * every screen path, so a reload lands on the same screen.
 *
 * @example
 * const path = usePath();
 * const id = matchPath('/runs/:id', path)?.['id'];
 */
import { Anchor } from '@mantine/core';
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react';

const listeners = new Set<() => void>();

/**
 * Asked before the screen changes (a link, a tab, the browser's back button). Answers true to hold
 * the change, and then calls `proceed` itself if the person decides to leave after all.
 */
export type NavigationGuard = (proceed: () => void) => boolean;
// Several at once: a form with unsaved edits may hold a modal with another (a new credential).
const guards: NavigationGuard[] = [];
let shown = window.location.pathname;

/** Installs a guard (a form while it has unsaved edits); the answer removes it. */
export function setNavigationGuard(next: NavigationGuard): () => void {
  guards.push(next);
  return () => {
    const at = guards.indexOf(next);
    if (at >= 0) guards.splice(at, 1);
  };
}

/** Asks the guards, newest first, each after the one before let go; true while one holds. */
function held(pending: readonly NavigationGuard[], proceed: () => void): boolean {
  const [first, ...rest] = pending;
  if (first === undefined) return false;
  const next = (): void => {
    if (!held(rest, proceed)) proceed();
  };
  return first(next) || held(rest, proceed);
}

function show(): void {
  shown = window.location.pathname;
  for (const listener of listeners) listener();
}

function go(to: string): void {
  window.history.pushState(null, '', to);
  show();
}

/** `discard`: the edits on the screen no longer matter (what they edit was just deleted). */
export function navigate(to: string, options: { readonly discard?: boolean } = {}): void {
  if (options.discard === true || !held([...guards].reverse(), () => go(to))) go(to);
}

window.addEventListener('popstate', () => {
  const to = window.location.pathname;
  if (guards.length === 0 || to === shown) return show();
  // The address has changed already: put the shown screen's back while the person decides.
  window.history.pushState(null, '', shown);
  if (!held([...guards].reverse(), () => go(to))) go(to);
});

export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = (): void => setPath(window.location.pathname);
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return path;
}

/** `/runs/:id` against `/runs/abc` gives `{ id: 'abc' }`; null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h);
    else if (w !== h) return null;
  }
  return params;
}

export function Link({
  to,
  children,
  ...rest
}: { to: string } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'color' | 'style'>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>): void => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <Anchor href={to} onClick={onClick} {...rest}>
      {children}
    </Anchor>
  );
}
