/**
 * People, for admins: who may sign in and with which role; add a person with a first password,
 * change a role (the server keeps the last admin), set a new password for someone who lost theirs
 * (which signs them out everywhere), and disable someone who left (they cannot sign in, their
 * sessions end and their API tokens stop working) or enable them again. Closing the add or
 * password form with something typed in it asks first, as every form does (unsaved-changes.tsx).
 */
import { Alert, Badge, Button, Group, PasswordInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';

import { api } from './api.ts';
import { formatWhen } from './format-when.ts';
import { ScrollTable } from './scroll-table.tsx';
import { useSession } from './session-context.ts';
import { FormModal, isEdited, useUnsavedChanges } from './unsaved-changes.tsx';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

import type { Person } from '../../src/contracts/people.ts';

const roleChoices = [
  { value: 'viewer', label: 'Viewer (reads everything but secrets)' },
  { value: 'admin', label: 'Admin (changes everything)' },
];

export function PeoplePage() {
  const { isAdmin, user } = useSession();
  const { data, error, reload } = useLoad(() => (isAdmin ? api.get('/api/users') : Promise.resolve(null)), [isAdmin]);
  const [adding, setAdding] = useState(false);
  const [resetting, setResetting] = useState<Person | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = useSubmit();
  if (!isAdmin) return <Text>Only admins manage people.</Text>;

  const changeRole = (person: Person, role: string | null): void => {
    if (role !== 'admin' && role !== 'viewer') return;
    setDone(null);
    void action.run(
      () => api.patch('/api/users/:id', { params: { id: person.id }, body: { role } }),
      async () => {
        setDone(`${person.email} is now ${role === 'admin' ? 'an admin' : 'a viewer'}.`);
        await reload();
      },
    );
  };

  const setDisabled = (person: Person, disabled: boolean): void => {
    if (
      disabled &&
      !window.confirm(
        `Disable ${person.email}? They are signed out now, cannot sign in, and the API tokens they made stop working, until enabled again.`,
      )
    )
      return;
    setDone(null);
    void action.run(
      () => api.patch('/api/users/:id', { params: { id: person.id }, body: { disabled } }),
      async () => {
        setDone(disabled ? `${person.email} is disabled and was signed out everywhere.` : `${person.email} can sign in again.`);
        await reload();
      },
    );
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>People</Title>
        <Button onClick={() => setAdding(true)}>Add person</Button>
      </Group>
      <Text size="sm" c="dimmed">
        Everyone here signs in with their e-mail and password. Viewers see integrations, runs and credentials without secrets; admins change
        them and manage people.
      </Text>
      {(error ?? action.message) && (
        <Alert color="red" role="alert" title="Not changed">
          {error ?? action.message}
        </Alert>
      )}
      {done && (
        <Alert color="green" role="status">
          {done}
        </Alert>
      )}
      {data && (
        <ScrollTable label="People" minWidth={760}>
          <Table striped aria-label="People">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Person</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Last signed in</Table.Th>
                <Table.Th>Password</Table.Th>
                <Table.Th>Access</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.users.map((person) => (
                <Table.Tr key={person.id}>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Text size="sm">{person.name}</Text>
                      {person.disabledAt && (
                        <Badge color="gray" variant="outline">
                          disabled
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      {person.email}
                      {person.id === user.id ? ' (you)' : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      w={260}
                      aria-label={`Role of ${person.email}`}
                      data={roleChoices}
                      value={person.role}
                      allowDeselect={false}
                      onChange={(role) => changeRole(person, role)}
                    />
                  </Table.Td>
                  <Table.Td>{person.lastLoginAt ? formatWhen(person.lastLoginAt) : 'never'}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => setResetting(person)}
                      aria-label={`Set new password for ${person.email}`}
                    >
                      Set new password
                    </Button>
                  </Table.Td>
                  <Table.Td>
                    {person.id === user.id ? (
                      <Text size="xs" c="dimmed">
                        you
                      </Text>
                    ) : (
                      <Button
                        size="xs"
                        variant={person.disabledAt ? 'light' : 'subtle'}
                        color={person.disabledAt ? 'blue' : 'red'}
                        onClick={() => setDisabled(person, person.disabledAt === null)}
                        aria-label={`${person.disabledAt ? 'Enable' : 'Disable'} ${person.email}`}
                      >
                        {person.disabledAt ? 'Enable' : 'Disable'}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      <FormModal opened={adding} onClose={() => setAdding(false)} title="Add person">
        <AddPersonForm
          onCancel={() => setAdding(false)}
          onSaved={async (person) => {
            setAdding(false);
            setDone(`${person.email} can sign in now. Give them their password privately.`);
            await reload();
          }}
        />
      </FormModal>
      <FormModal opened={resetting !== null} onClose={() => setResetting(null)} title={`New password for ${resetting?.email ?? ''}`}>
        {resetting && (
          <ResetPasswordForm
            person={resetting}
            onCancel={() => setResetting(null)}
            onSaved={() => {
              setDone(`${resetting.email} has a new password and was signed out everywhere.`);
              setResetting(null);
            }}
          />
        )}
      </FormModal>
    </Stack>
  );
}

const noOne = { email: '', name: '', role: 'viewer', password: '' } as const;

function AddPersonForm({ onCancel, onSaved }: { onCancel: () => void; onSaved: (person: Person) => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'admin' | 'viewer'>('viewer');
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  const unsaved = useUnsavedChanges(isEdited({ email, name, role, password }, noOne), 'new person');
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void submit.run(
      () => api.post('/api/users', { body: { email, name, role, password } }),
      async (person) => {
        unsaved.saved();
        await onSaved(person);
      },
    );
  };
  return (
    <form onSubmit={onSubmit} aria-label="Add person">
      <Stack>
        <TextInput label="Email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={submit.errors['email']} />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Select
          label="Role"
          data={roleChoices}
          value={role}
          allowDeselect={false}
          onChange={(v) => setRole(v === 'admin' ? 'admin' : 'viewer')}
        />
        <PasswordInput
          label="First password"
          description="At least 12 characters; give it to them privately"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={submit.errors['password']}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={submit.busy}>
            Add person
          </Button>
        </Group>
      </Stack>
      {unsaved.prompt}
    </form>
  );
}

function ResetPasswordForm({ person, onCancel, onSaved }: { person: Person; onCancel: () => void; onSaved: () => void }) {
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  const unsaved = useUnsavedChanges(password !== '', `new password for ${person.email}`);
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void submit.run(
      () => api.post('/api/users/:id/password', { params: { id: person.id }, body: { password } }),
      () => {
        unsaved.saved();
        onSaved();
      },
    );
  };
  return (
    <form onSubmit={onSubmit} aria-label="New password">
      <Stack>
        <PasswordInput
          label="New password"
          description="At least 12 characters; they are signed out everywhere and sign in again with it"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={submit.errors['password']}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={submit.busy}>
            Set password
          </Button>
        </Group>
      </Stack>
      {unsaved.prompt}
    </form>
  );
}
