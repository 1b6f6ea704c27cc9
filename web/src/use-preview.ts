/**
 * The integration preview while its mapping is edited: `POST /api/integrations/preview` with the
 * document as it stands, again a moment after each change (debounced, so typing an expression does
 * not send a request per key) or at once on `refresh`. An answer that arrives after a newer request
 * was sent is dropped, so the panel never shows an older mapping's records.
 *
 * @example
 * const preview = usePreview(document);
 * preview.data?.samples.email; // ['ada@example.com', ...]
 */
import { useCallback, useEffect, useRef, useState } from 'react';

import { api, ApiCallError, errorMessage } from './api.ts';

import type { IntegrationInput } from '../../src/contracts/integrations.ts';
import type { Preview, previewContracts } from '../../src/contracts/preview.ts';
import type { BodyOf } from '../../src/contracts/route-contract.ts';

/** A record the preview dropped or could not map, with the reason. */
export type PreviewProblem = Preview['dropped'][number];
type PreviewBody = BodyOf<typeof previewContracts.preview>;

export interface PreviewState {
  readonly data: Preview | null;
  readonly error: string | null;
  /** The document's problems by path when the server refused it (shown beside their fields, not in the panel). */
  readonly fieldErrors: Readonly<Record<string, string>>;
  readonly busy: boolean;
  readonly refresh: () => void;
}

const debounceMs = 700;

export function usePreview(document: IntegrationInput, limit = 10): PreviewState {
  const [data, setData] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Readonly<Record<string, string>>>({});
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);
  // The document's text is the dependency: a new object with the same content sends nothing.
  const body = JSON.stringify({ document, limit });

  const load = useCallback(async (): Promise<void> => {
    const ticket = ++latest.current;
    setBusy(true);
    try {
      const answer = await api.post('/api/integrations/preview', { body: JSON.parse(body) as PreviewBody });
      if (ticket !== latest.current) return;
      setData(answer);
      setError(null);
      setFieldErrors({});
    } catch (e) {
      if (ticket !== latest.current) return;
      setError(errorMessage(e));
      // The preview's body is { document, limit }: its shape problems are at `document.customFields.x`,
      // where the page places them as a save's, at `customFields.x`.
      setFieldErrors(
        e instanceof ApiCallError
          ? Object.fromEntries(Object.entries(e.fieldErrors).map(([path, message]) => [path.replace(/^document\./, ''), message]))
          : {},
      );
    } finally {
      if (ticket === latest.current) setBusy(false);
    }
  }, [body]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), debounceMs);
    return () => clearTimeout(timer);
  }, [load]);

  return { data, error, fieldErrors, busy, refresh: () => void load() };
}
