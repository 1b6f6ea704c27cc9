/**
 * Add or edit a NinjaOne credential: NinjaOne URL, client ID and secret, scopes and grant. When
 * editing, an empty secret keeps the stored one. The server's validation problems show under
 * their fields. Closing it with unsaved edits asks first (put it in a `FormModal`); Cancel discards them.
 */
import { Alert, Button, Checkbox, Group, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { type FormEvent, useState } from 'react';

import { api } from './api.ts';
import { isEdited, useUnsavedChanges } from './unsaved-changes.tsx';
import { useSubmit } from './use-submit.ts';

import type { Credential } from '../../src/contracts/credentials.ts';

const scopeChoices = [
  { value: 'monitoring', label: 'monitoring', help: 'read users, organisations and devices (needed)' },
  { value: 'management', label: 'management', help: 'read roles and more detail' },
  { value: 'control', label: 'control', help: 'not needed by ninja-sync' },
] as const;

export function CredentialForm({
  existing,
  onSaved,
  onCancel,
}: {
  existing?: Credential;
  onSaved: (credential: Credential) => void;
  onCancel: () => void;
}) {
  const [initial] = useState(() => ({
    name: existing?.name ?? '',
    url: existing?.url ?? 'https://eu.ninjarmm.com',
    clientId: existing?.clientId ?? '',
    clientSecret: '',
    scopes: (existing?.scopes ?? 'monitoring management').split(/\s+/).filter((s) => s !== 'offline_access' && s !== ''),
    grantType: existing?.grantType ?? 'authorization_code',
    allowInsecureHttp: existing?.allowInsecureHttp ?? false,
  }));
  const [name, setName] = useState(initial.name);
  const [url, setUrl] = useState(initial.url);
  const [clientId, setClientId] = useState(initial.clientId);
  const [clientSecret, setClientSecret] = useState(initial.clientSecret);
  const [scopes, setScopes] = useState<string[]>(initial.scopes);
  const [grantType, setGrantType] = useState<Credential['grantType']>(initial.grantType);
  const [allowInsecureHttp, setAllowInsecureHttp] = useState(initial.allowInsecureHttp);
  const submit = useSubmit();
  // On a phone the two grants, side by side, are wider than the dialog: one under the other.
  const narrow = useMediaQuery('(max-width: 48em)', false);
  const edited = isEdited({ name, url, clientId, clientSecret, scopes, grantType, allowInsecureHttp }, initial);
  const unsaved = useUnsavedChanges(edited, existing ? `credential “${existing.name}”` : 'new credential');

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    // Rendered in a modal (a portal) inside other forms: React would bubble the submit to them.
    event.stopPropagation();
    const body = {
      name,
      url,
      clientId,
      scopes: scopes.join(' '),
      grantType,
      allowInsecureHttp,
      ...(clientSecret !== '' ? { clientSecret } : {}),
    };
    void submit.run(
      () =>
        existing
          ? api.patch('/api/credentials/:id', { params: { id: existing.id }, body })
          : api.post('/api/credentials', { body: { ...body, clientSecret } }),
      (saved) => {
        unsaved.saved();
        onSaved(saved);
      },
    );
  };

  return (
    <form onSubmit={onSubmit} aria-label={existing ? 'Edit credential' : 'New credential'}>
      <Stack>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={submit.errors['name']}
          description="How integrations refer to it, e.g. ninjaone-eu"
        />
        <TextInput
          label="NinjaOne URL"
          required
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={submit.errors['url']}
          description="Your NinjaOne address, e.g. https://eu.ninjarmm.com or https://acme.rmmservice.com"
        />
        <TextInput
          label="Client ID"
          required
          value={clientId}
          onChange={(e) => setClientId(e.currentTarget.value)}
          error={submit.errors['clientId']}
          description="From NinjaOne: Administration → Apps → API → Client app IDs"
        />
        <PasswordInput
          label="Client secret"
          required={!existing}
          value={clientSecret}
          onChange={(e) => setClientSecret(e.currentTarget.value)}
          error={submit.errors['clientSecret']}
          description={
            existing
              ? `Stored${existing.clientSecretHint ? `, ends in ${existing.clientSecretHint}` : ''}. Leave empty to keep it.`
              : 'Shown once by NinjaOne when you create the client app'
          }
          autoComplete="off"
        />
        <Checkbox.Group
          label="Scopes"
          value={scopes}
          onChange={setScopes}
          error={submit.errors['scopes']}
          description="offline_access is added for you, so ninja-sync can renew its access"
        >
          <Stack gap={4} mt={4}>
            {scopeChoices.map((s) => (
              <Checkbox key={s.value} value={s.value} label={`${s.label} — ${s.help}`} />
            ))}
          </Stack>
        </Checkbox.Group>
        <div>
          <Text size="sm" fw={500} id="grant-label">
            Grant
          </Text>
          <SegmentedControl
            aria-labelledby="grant-label"
            orientation={narrow ? 'vertical' : 'horizontal'}
            fullWidth={narrow}
            value={grantType}
            onChange={(v) => setGrantType(v)}
            data={[
              { value: 'authorization_code', label: 'Authorization code (sign in at NinjaOne)' },
              { value: 'client_credentials', label: 'Client credentials (headless)' },
            ]}
          />
          {submit.errors['grantType'] && (
            <Text c="red" size="xs">
              {submit.errors['grantType']}
            </Text>
          )}
        </div>
        <Checkbox
          label="Allow plain http (only for test servers and emulators)"
          checked={allowInsecureHttp}
          onChange={(e) => setAllowInsecureHttp(e.currentTarget.checked)}
          error={submit.errors['allowInsecureHttp']}
        />
        {submit.message && (
          <Alert color="red" role="alert">
            {submit.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={submit.busy}>
            {existing ? 'Save credential' : 'Add credential'}
          </Button>
        </Group>
      </Stack>
      {unsaved.prompt}
    </form>
  );
}
