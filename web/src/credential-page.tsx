/**
 * One NinjaOne credential: its status, "Authenticate" (off to NinjaOne's consent screen, back
 * through /oauth2/redirect), "Test connection", edit and delete (with the server's refusal reason).
 */
import { Alert, Button, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';

import { api } from './api.ts';
import { CredentialForm } from './credential-form.tsx';
import { RedirectUrl } from './redirect-url.tsx';
import { Link, navigate } from './router.tsx';
import { useSession } from './session-context.ts';
import { StatusBadge } from './status-badge.tsx';
import { FormModal } from './unsaved-changes.tsx';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

import type { credentialContracts } from '../../src/contracts/credentials.ts';
import type { ResponseOf } from '../../src/contracts/route-contract.ts';

export function CredentialPage({ id }: { id: string }) {
  const { isAdmin } = useSession();
  const { data: credential, error, reload } = useLoad(() => api.get('/api/credentials/:id', { params: { id } }), [id]);
  const { data: list } = useLoad(() => api.get('/api/credentials'), []);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [test, setTest] = useState<ResponseOf<typeof credentialContracts.test> | null>(null);
  const action = useSubmit();
  const justAuthenticated = new URLSearchParams(window.location.search).has('authenticated');

  if (error)
    return (
      <Alert color="red" role="alert">
        {error}
      </Alert>
    );
  if (!credential) return null;

  const authenticate = (): void => {
    void action.run(
      () => api.post('/api/credentials/:id/authorize', { params: { id: credential.id } }),
      ({ authorizeUrl }) => {
        window.location.assign(authorizeUrl);
      },
    );
  };
  const testConnection = (): void => {
    setTest(null);
    void action.run(
      () => api.post('/api/credentials/:id/test', { params: { id: credential.id } }),
      async (result) => {
        setTest(result);
        await reload();
      },
    );
  };
  const remove = (): void => {
    void action.run(
      () => api.delete('/api/credentials/:id', { params: { id: credential.id } }),
      () => navigate('/credentials'),
    );
    setConfirmDelete(false);
  };

  return (
    <Stack>
      <Link to="/credentials">← Credentials</Link>
      <Group justify="space-between">
        <Group>
          <Title order={2}>{credential.name}</Title>
          <StatusBadge status={credential.status} />
        </Group>
        {isAdmin && (
          <Group>
            {credential.grantType === 'authorization_code' && (
              <Button onClick={authenticate} loading={action.busy}>
                Authenticate
              </Button>
            )}
            <Button variant="light" onClick={testConnection} loading={action.busy}>
              Test connection
            </Button>
            <Button variant="default" onClick={() => setEditing(true)}>
              Edit
            </Button>
            <Button variant="outline" color="red" onClick={() => setConfirmDelete(true)}>
              Delete
            </Button>
          </Group>
        )}
      </Group>
      {justAuthenticated && credential.status === 'active' && (
        <Alert color="green" role="status">
          NinjaOne accepted the sign-in: this credential is active.
        </Alert>
      )}
      {credential.status === 'pending' && credential.grantType === 'authorization_code' && (
        <Alert color="blue">Next: register the redirect URL below in NinjaOne, then press “Authenticate” and sign in at NinjaOne.</Alert>
      )}
      {credential.status === 'needs_reauth' && (
        <Alert color="orange">NinjaOne asks for a new sign-in: press “Authenticate”. {credential.statusReason}</Alert>
      )}
      {credential.status === 'failing' && credential.statusReason && <Alert color="red">{credential.statusReason}</Alert>}
      {test && (
        <Alert color={test.ok ? 'green' : 'red'} role="status" title={test.ok ? 'Connection works' : 'Connection failed'}>
          {test.message}
        </Alert>
      )}
      {action.message && (
        <Alert color="red" role="alert">
          {action.message}
        </Alert>
      )}
      <Table aria-label="Credential details" withTableBorder>
        <Table.Tbody>
          <Row label="NinjaOne URL" value={credential.url} />
          <Row label="Client ID" value={credential.clientId} />
          <Row label="Client secret" value={`••••${credential.clientSecretHint ? ` ${credential.clientSecretHint}` : ''}`} />
          <Row label="Scopes" value={credential.scopes} />
          <Row label="Scopes granted" value={credential.grantedScopes ?? '—'} />
          <Row label="Grant" value={credential.grantType === 'authorization_code' ? 'Authorization code' : 'Client credentials'} />
          <Row label="Refresh token" value={credential.hasRefreshToken ? 'stored' : 'none'} />
          <Row label="Used by" value={credential.usedBy.join(', ') || 'no integration yet'} />
        </Table.Tbody>
      </Table>
      {list && credential.grantType === 'authorization_code' && <RedirectUrl url={list.redirectUrl} />}
      <FormModal opened={editing} onClose={() => setEditing(false)} title={`Edit ${credential.name}`} size="lg">
        <CredentialForm
          existing={credential}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            void reload();
          }}
        />
      </FormModal>
      <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title="Delete this credential?">
        <Text mb="md">“{credential.name}” and its tokens are deleted. Integrations that use it must be changed first.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirmDelete(false)}>
            Keep it
          </Button>
          <Button color="red" onClick={remove}>
            Delete credential
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <Table.Tr>
      <Table.Th w={180}>{label}</Table.Th>
      <Table.Td>{value}</Table.Td>
    </Table.Tr>
  );
}
