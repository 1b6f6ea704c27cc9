/**
 * Runs a form's API call and keeps what the form shows: busy while it runs, the server's message,
 * and its validation problems by field path, so each input can show its own (`errors['url']`).
 *
 * @example
 * const submit = useSubmit();
 * <TextInput error={submit.errors['url']} />
 * onSubmit={() => submit.run(() => api.post('/api/credentials', { body: values }), onSaved)}
 */
import { useState } from 'react';

import { ApiCallError, errorMessage } from './api.ts';

export interface Submit {
  readonly busy: boolean;
  readonly message: string | null;
  readonly errors: Readonly<Record<string, string>>;
  readonly run: <T>(call: () => Promise<T>, onDone?: (value: T) => void | Promise<void>) => Promise<void>;
  readonly clear: () => void;
}

export function useSubmit(): Submit {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  return {
    busy,
    message,
    errors,
    clear: () => {
      setMessage(null);
      setErrors({});
    },
    async run(call, onDone) {
      setBusy(true);
      setMessage(null);
      setErrors({});
      try {
        const value = await call();
        await onDone?.(value);
      } catch (error) {
        setMessage(errorMessage(error));
        if (error instanceof ApiCallError) setErrors(error.fieldErrors);
      } finally {
        setBusy(false);
      }
    },
  };
}
