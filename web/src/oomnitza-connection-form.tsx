/**
 * Add or edit an Oomnitza connection: name, instance URL, API token, with "Test" before saving. A
 * save tests first what it would store (a new URL or token) and, when the test fails, says why and
 * asks before saving it anyway. A changed URL needs its API token again: the stored one belongs to
 * the old instance and never goes to the new one. Closing it with unsaved edits asks first (put it
 * in a `FormModal`); Cancel discards them.
 *
 * @example
 * <ConnectionForm connection={existing} onSaved={reload} onCancel={close} />
 */
import { Alert, Button, Checkbox, Group, PasswordInput, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';

import { api, ApiCallError } from './api.ts';
import { isEdited, useUnsavedChanges } from './unsaved-changes.tsx';
import { useSubmit } from './use-submit.ts';

import type { OomnitzaConnection, oomnitzaConnectionContracts } from '../../src/contracts/oomnitza-connections.ts';
import type { ResponseOf } from '../../src/contracts/route-contract.ts';

type TestResult = ResponseOf<typeof oomnitzaConnectionContracts.testDraft>;

/** The instance URL as the server stores it (origin, https added), to tell whether it changed. */
function sameUrl(typed: string, stored: string): boolean {
  const trimmed = typed.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`).origin === stored;
  } catch {
    return false;
  }
}

export function ConnectionForm({
  connection,
  onSaved,
  onCancel,
}: {
  connection?: OomnitzaConnection;
  onSaved: (saved: OomnitzaConnection) => void;
  onCancel: () => void;
}) {
  const [initial] = useState(() => ({
    name: connection?.name ?? 'oomnitza',
    url: connection?.url ?? '',
    apiToken: '',
    allowInsecureHttp: connection?.allowInsecureHttp ?? false,
  }));
  const [name, setName] = useState(initial.name);
  const [url, setUrl] = useState(initial.url);
  const [apiToken, setApiToken] = useState(initial.apiToken);
  const [allowInsecureHttp, setAllowInsecureHttp] = useState(initial.allowInsecureHttp);
  const unsaved = useUnsavedChanges(
    isEdited({ name, url, apiToken, allowInsecureHttp }, initial),
    connection ? `Oomnitza connection “${connection.name}”` : 'new Oomnitza connection',
  );
  // The last test and what it tested: a result stands only for the values it was made with.
  const [tested, setTested] = useState<{ key: string; result: TestResult } | null>(null);
  const submit = useSubmit();
  const urlChanged = connection !== undefined && !sameUrl(url, connection.url);
  const tokenNeeded = connection === undefined || urlChanged;
  const key = JSON.stringify([url.trim(), apiToken, allowInsecureHttp]);
  const result = tested?.key === key ? tested.result : null;
  // What the server would connect with changes: a save tests it first.
  const reachChanged = connection === undefined || urlChanged || apiToken !== '' || allowInsecureHttp !== connection.allowInsecureHttp;

  const runTest = async (): Promise<TestResult> => {
    const answer = await api.post('/api/oomnitza-connections/test', {
      body: {
        url,
        allowInsecureHttp,
        ...(apiToken !== '' ? { apiToken } : {}),
        ...(connection ? { connectionId: connection.id } : {}),
      },
    });
    setTested({ key, result: answer });
    return answer;
  };

  const save = async (): Promise<OomnitzaConnection> => {
    const saved = connection
      ? await api.patch('/api/oomnitza-connections/:id', {
          params: { id: connection.id },
          body: { name, url, allowInsecureHttp, ...(apiToken !== '' ? { apiToken } : {}) },
        })
      : await api.post('/api/oomnitza-connections', { body: { name, url, apiToken, allowInsecureHttp } });
    // The stored status follows what was saved: tested again against the stored values.
    if (reachChanged) await api.post('/api/oomnitza-connections/:id/test', { params: { id: saved.id } });
    return saved;
  };

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void submit.run(
      async () => {
        if (tokenNeeded && apiToken === '') {
          const message = 'enter the API token for this URL (a new URL needs its token again)';
          throw new ApiCallError(400, 'validation_failed', message, { fields: [{ path: 'apiToken', message }] });
        }
        if (reachChanged && result === null) {
          const fresh = await runTest();
          // Not saved: the failure shows beside the button, which now asks to save anyway.
          if (!fresh.ok) return null;
        }
        return save();
      },
      (saved) => {
        if (!saved) return;
        unsaved.saved();
        onSaved(saved);
      },
    );
  };
  const test = (): void => {
    void submit.run(runTest);
  };
  const errors = submit.errors;
  const failed = result !== null && !result.ok;

  return (
    <form onSubmit={onSubmit} noValidate aria-label={connection ? 'Edit Oomnitza connection' : 'New Oomnitza connection'}>
      <Stack>
        <TextInput label="Connection name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors['name']} />
        <TextInput
          label="Instance URL"
          required
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={errors['url']}
          description="e.g. https://acme.oomnitza.com"
        />
        <PasswordInput
          label="API token"
          required={tokenNeeded}
          value={apiToken}
          onChange={(e) => setApiToken(e.currentTarget.value)}
          error={errors['apiToken']}
          description={
            connection === undefined
              ? 'Oomnitza → Configuration → Security → API tokens'
              : urlChanged
                ? 'A new URL needs its API token again: the stored one stays with the old instance.'
                : `Leave empty to keep the stored token${connection.apiTokenHint ? ` (…${connection.apiTokenHint})` : ''}.`
          }
          autoComplete="off"
        />
        <Checkbox
          label="Allow plain http (only for test servers and emulators on this machine)"
          checked={allowInsecureHttp}
          onChange={(e) => setAllowInsecureHttp(e.currentTarget.checked)}
        />
        {result && (
          <Alert
            color={result.ok ? 'green' : 'red'}
            role={result.ok ? 'status' : 'alert'}
            title={result.ok ? 'Test passed' : 'Test failed'}
          >
            {result.message}
            {!result.ok && reachChanged ? ' — not saved. Fix the URL or the token and test again, or save it anyway.' : ''}
          </Alert>
        )}
        {/* A problem of one field shows beside it only, not twice. */}
        {submit.message && Object.keys(errors).length === 0 && (
          <Alert color="red" role="alert">
            {submit.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button variant="light" onClick={test} loading={submit.busy}>
            Test
          </Button>
          <Button type="submit" loading={submit.busy} {...(failed && reachChanged ? { color: 'red' } : {})}>
            {failed && reachChanged ? 'Save anyway' : connection ? 'Save connection' : 'Add connection'}
          </Button>
        </Group>
      </Stack>
      {unsaved.prompt}
    </form>
  );
}
