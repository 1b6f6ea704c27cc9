/**
 * Loads something from the API for a screen, with a reload for after a change.
 *
 * @example
 * const { data, error, reload } = useLoad(() => api.get('/api/credentials'), []);
 */
import { type DependencyList, useCallback, useEffect, useState } from 'react';

import { errorMessage } from './api.ts';

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: string | null;
  readonly reload: () => Promise<void>;
}

export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setData(await load());
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}
