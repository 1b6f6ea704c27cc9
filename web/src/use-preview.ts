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

import { errorMessage, untypedApi } from './api.ts';

import type { IntegrationInput } from './types.ts';

export interface PreviewRecord {
  readonly sourceId: string;
  readonly label: string;
}

/** Mirrors `previewSchema` in `src/server/routes/preview.ts`. */
export interface Preview {
  readonly total: number;
  readonly kept: readonly (PreviewRecord & { readonly fields: Readonly<Record<string, unknown>> })[];
  readonly keptTotal: number;
  readonly dropped: readonly (PreviewRecord & { readonly reason: string })[];
  readonly droppedTotal: number;
  readonly failed: readonly (PreviewRecord & { readonly reason: string })[];
  readonly failedTotal: number;
  readonly samples: Readonly<Record<string, readonly string[]>>;
}

export interface PreviewState {
  readonly data: Preview | null;
  readonly error: string | null;
  readonly busy: boolean;
  readonly refresh: () => void;
}

const debounceMs = 700;

export function usePreview(document: IntegrationInput, limit = 10): PreviewState {
  const [data, setData] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);
  // The document's text is the dependency: a new object with the same content sends nothing.
  const body = JSON.stringify({ document, limit });

  const load = useCallback(async (): Promise<void> => {
    const ticket = ++latest.current;
    setBusy(true);
    try {
      const answer = await untypedApi.post<Preview>('/api/integrations/preview', JSON.parse(body) as unknown);
      if (ticket !== latest.current) return;
      setData(answer);
      setError(null);
    } catch (e) {
      if (ticket !== latest.current) return;
      setError(errorMessage(e));
    } finally {
      if (ticket === latest.current) setBusy(false);
    }
  }, [body]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), debounceMs);
    return () => clearTimeout(timer);
  }, [load]);

  return { data, error, busy, refresh: () => void load() };
}
