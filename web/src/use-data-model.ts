/**
 * The users data model of the integration's Oomnitza connection, for the mapping page: the fields
 * the tenant has (custom ones included) with label and type, read through the server's cache
 * (`GET /api/oomnitza-connections/:id/fields`), and `refresh` for "Refresh fields". When the
 * instance gives no data model, or it cannot be read, `fallback` says why in words and the page
 * offers the common Oomnitza fields instead. A Local integration has no connection here (its agent
 * holds the API token), so the server cannot read the model at all, and says so.
 *
 * @example
 * const model = useDataModel(doc.destination.connection, doc.installation === 'local');
 * model.fields?.filter((f) => f.editable).map((f) => f.label);
 */
import { useCallback, useEffect, useState } from 'react';

import { api, errorMessage } from './api.ts';

import type { OomnitzaDataModel } from '../../src/contracts/oomnitza-connections.ts';

export type OomnitzaField = OomnitzaDataModel['fields'][number];

export interface DataModelState {
  /** The tenant's fields; null while loading or when there is no data model to go by. */
  readonly fields: readonly OomnitzaField[] | null;
  /** Why the common fields are offered instead of the tenant's, in words; null when the model is there. */
  readonly fallback: string | null;
  readonly fetchedAt: string | null;
  /** The last "Refresh fields" failed (the fields read before stay); null otherwise. */
  readonly error: string | null;
  readonly busy: boolean;
  /** false: there is nothing to read the model through (a Local integration), so no "Refresh fields". */
  readonly refreshable: boolean;
  readonly refresh: () => Promise<void>;
}

export function useDataModel(connectionName: string | undefined, local: boolean): DataModelState {
  const [model, setModel] = useState<OomnitzaDataModel | null>(null);
  const [fallback, setFallback] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(true);

  const load = useCallback(
    async (refresh: boolean): Promise<void> => {
      setBusy(true);
      setError(null);
      if (local) {
        setModel(null);
        setFallback("a Local integration's Oomnitza API token stays on its agent, so this server cannot read the tenant's fields");
        setBusy(false);
        return;
      }
      try {
        const { connections } = await api.get('/api/oomnitza-connections');
        const connection = connections.find((c) => c.name === connectionName);
        if (!connection) {
          setModel(null);
          setFallback(
            `the integration names no Oomnitza connection that exists${connectionName ? ` ("${connectionName}")` : ''}; pick one under Details`,
          );
          return;
        }
        const params = { params: { id: connection.id } };
        const answer = refresh
          ? await api.post('/api/oomnitza-connections/:id/fields/refresh', params)
          : await api.get('/api/oomnitza-connections/:id/fields', params);
        setModel(answer);
        setFallback(answer.available ? null : (answer.reason ?? 'the instance gives no users data model'));
      } catch (failure) {
        const why = `the fields could not be read from Oomnitza: ${errorMessage(failure)}`;
        if (refresh) setError(why);
        else setFallback(why);
      } finally {
        setBusy(false);
      }
    },
    [connectionName, local],
  );

  useEffect(() => {
    void load(false);
  }, [load]);

  return {
    fields: model?.available ? model.fields : null,
    fallback,
    fetchedAt: model?.fetchedAt ?? null,
    error,
    busy,
    refreshable: !local,
    refresh: () => load(true),
  };
}
