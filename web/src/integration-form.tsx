/**
 * The integration's details: name, record type, installation, preference and offboarding (each explained),
 * credential and connection (or, for a Local installation, its agent and the settings it reaches
 * NinjaOne and Oomnitza with: `local-installation-fields.tsx`), contacts, schedule and whether it
 * is enabled. Saving creates the integration or replaces its whole document (mapping included,
 * unchanged here), and says what the server could not check (its warnings). Leaving with unsaved
 * edits asks first. A viewer sees it all read-only.
 */
import { Alert, Button, Group, List, NumberInput, Select, SimpleGrid, Stack, Switch, TagsInput, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';

import { api } from './api.ts';
import { ChoiceGroup } from './choice-group.tsx';
import { CredentialForm } from './credential-form.tsx';
import { LocalInstallationFields, toCloud, toLocal } from './local-installation-fields.tsx';
import { Link } from './router.tsx';
import { SaveWarnings, type Warning } from './save-warnings.tsx';
import { ScheduleInput } from './schedule-input.tsx';
import { useSession } from './session-context.ts';
import { FormModal, isEdited, useUnsavedChanges } from './unsaved-changes.tsx';
import { useSubmit } from './use-submit.ts';

import type { AgentView } from '../../src/contracts/agents.ts';
import type { Credential } from '../../src/contracts/credentials.ts';
import type { SavedIntegration } from '../../src/contracts/integrations.ts';
import type { IntegrationInput } from '../../src/contracts/integrations.ts';
import type { OomnitzaConnection } from '../../src/contracts/oomnitza-connections.ts';

const recordTypes = [
  { value: 'user', label: 'User only', help: 'NinjaOne users become Oomnitza users.' },
  {
    value: 'user_and_saas_user',
    label: 'User plus SaaS user',
    help: 'Also records each user as a user of the NinjaOne SaaS application in Oomnitza, so licences and access show there.',
  },
] as const;
const installations = [
  {
    value: 'cloud',
    label: 'Cloud',
    help: 'This server holds the credentials and runs the sync; NinjaOne sign-in comes back to its redirect URL.',
  },
  {
    value: 'local',
    label: 'Local',
    help: 'A local agent (ninja-sync agent) inside your network keeps the credentials and runs the sync; there is no OAuth redirect here.',
  },
] as const;
const preferenceChoices = [
  { value: 'create_and_update', label: 'Create & Update', help: 'Creates users Oomnitza lacks and updates the ones it has.' },
  { value: 'create_only', label: 'Create only', help: 'Never changes existing Oomnitza users.' },
  { value: 'update_only', label: 'Update only', help: 'Never creates users; only keeps existing ones in step.' },
] as const;
const offboardingChoices = [
  { value: 'leave', label: 'Leave them', help: 'Oomnitza users whose NinjaOne user left or was disabled stay as they are.' },
  {
    value: 'suspend',
    label: 'Suspend them',
    help: 'Suspends in Oomnitza the users this integration created or matched once their NinjaOne user leaves or is disabled, and unsuspends them when they are back. Users it never touched are never touched.',
  },
] as const;

export function IntegrationForm({
  id,
  document,
  credentials: known,
  connections,
  agents,
  onSaved,
}: {
  id: string | null;
  document: IntegrationInput;
  credentials: readonly Credential[];
  connections: readonly OomnitzaConnection[];
  agents: readonly AgentView[];
  onSaved: (saved: SavedIntegration) => void;
}) {
  const [added, setAdded] = useState<Credential[]>([]);
  const [creating, setCreating] = useState(false);
  const credentials = [...known, ...added];
  const { isAdmin } = useSession();
  const [doc, setDoc] = useState<IntegrationInput>(document);
  // What the server holds (as loaded, then as last saved): the form is edited while it differs.
  const [stored, setStored] = useState<IntegrationInput>(document);
  // The last save's answer while nothing changed since: its warnings say what could not be checked.
  const [saved, setSaved] = useState<{ readonly warnings: readonly Warning[] } | null>(null);
  const submit = useSubmit();
  const unsaved = useUnsavedChanges(isEdited(doc, stored), 'integration details');
  const e = submit.errors;
  const set = (patch: Partial<IntegrationInput>): void => {
    setDoc((d) => ({ ...d, ...patch }));
    setSaved(null);
  };
  const replace = (next: IntegrationInput): void => {
    setDoc(next);
    setSaved(null);
    submit.clear();
  };
  const local = doc.installation === 'local';
  const contactError = Object.entries(e).find(([path]) => path.startsWith('contacts'))?.[1];
  const notBeside = Object.entries(e).filter(([path]) => !shownBeside(path, local));

  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    const sent = doc;
    void submit.run(
      () => (id ? api.put('/api/integrations/:id', { params: { id }, body: sent }) : api.post('/api/integrations', { body: sent })),
      (result) => {
        // Before onSaved, which may open the new integration's mapping: nothing to ask about now.
        unsaved.saved();
        setStored(sent);
        setSaved({ warnings: result.warnings });
        onSaved(result);
      },
    );
  };

  return (
    <form onSubmit={onSubmit} aria-label="Integration details">
      <fieldset disabled={!isAdmin} style={{ border: 0, padding: 0, margin: 0 }}>
        <Stack maw={820}>
          <TextInput label="Name" required value={doc.name} onChange={(ev) => set({ name: ev.currentTarget.value })} error={e['name']} />
          {!local && (
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select
                label="NinjaOne credential"
                placeholder={credentials.length ? 'Pick a credential' : 'Add one under Credentials first'}
                data={credentials.map((c) => ({ value: c.name, label: `${c.name} (${c.status})` }))}
                value={doc.source.credential ?? null}
                onChange={(v) => set({ source: { ...doc.source, credential: v ?? '' } })}
                error={e['source.credential'] ?? e['source']}
                allowDeselect={false}
              />
              <Select
                label="Oomnitza connection"
                placeholder={connections.length ? 'Pick a connection' : 'Add one under Credentials first'}
                data={connections.map((c) => c.name)}
                value={doc.destination.connection ?? null}
                onChange={(v) => set({ destination: { ...doc.destination, connection: v ?? '' } })}
                error={e['destination.connection'] ?? e['destination']}
                allowDeselect={false}
              />
            </SimpleGrid>
          )}
          {!local && (
            <Group gap="md">
              {isAdmin && (
                <Button size="xs" variant="light" onClick={() => setCreating(true)}>
                  New NinjaOne credential
                </Button>
              )}
              {doc.source.credential && credentials.some((c) => c.name === doc.source.credential) && (
                <Link to={`/credentials/${credentials.find((c) => c.name === doc.source.credential)!.id}`}>
                  Open the credential (authenticate, test, edit)
                </Link>
              )}
              <Link to="/credentials">All credentials and Oomnitza connections</Link>
            </Group>
          )}
          <NotReadyWarning
            credential={local ? undefined : credentials.find((c) => c.name === doc.source.credential)}
            connection={local ? undefined : connections.find((c) => c.name === doc.destination.connection)}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <ChoiceGroup
              label="Record type"
              value={doc.recordType ?? 'user'}
              onChange={(v) => set({ recordType: v })}
              choices={recordTypes}
              error={e['recordType']}
              disabled={!isAdmin}
            />
            <ChoiceGroup
              label="Installation"
              value={doc.installation ?? 'cloud'}
              onChange={(v) =>
                replace(
                  v === 'local'
                    ? toLocal(doc, credentials, connections)
                    : toCloud(doc, credentials[0]?.name ?? '', doc.destination.connection ?? connections[0]?.name ?? ''),
                )
              }
              choices={installations}
              error={e['installation']}
              disabled={!isAdmin}
            />
            <ChoiceGroup
              label="Preference"
              value={doc.preference ?? 'create_and_update'}
              onChange={(v) => set({ preference: v })}
              choices={preferenceChoices}
              error={e['preference']}
              disabled={!isAdmin}
            />
            <Stack gap="xs">
              <ChoiceGroup
                label="When a user leaves NinjaOne"
                value={doc.offboarding?.policy ?? 'leave'}
                onChange={(v) => set({ offboarding: { ...doc.offboarding, policy: v } })}
                choices={offboardingChoices}
                error={e['offboarding.policy'] ?? e['offboarding']}
                disabled={!isAdmin}
              />
              {doc.offboarding?.policy === 'suspend' && (
                <NumberInput
                  label="Offboarding fuse (%)"
                  description="A run that would suspend more than this share of the users it manages stops before its first write (an empty NinjaOne answer is 100%)"
                  min={1}
                  max={100}
                  value={Math.round((doc.offboarding.maxShare ?? 0.5) * 100)}
                  onChange={(v) => set({ offboarding: { ...doc.offboarding, policy: 'suspend', maxShare: Number(v) / 100 } })}
                  error={e['offboarding.maxShare']}
                />
              )}
            </Stack>
          </SimpleGrid>
          {local && (
            <LocalInstallationFields doc={doc} set={set} errors={e} credentials={credentials} agents={agents} disabled={!isAdmin} />
          )}
          <TagsInput
            label="Contacts"
            description="E-mail addresses told about failed runs; press Enter after each"
            value={[...(doc.contacts ?? [])]}
            onChange={(v) => set({ contacts: v })}
            error={contactError}
          />
          <ScheduleInput
            value={doc.schedule ?? { daily: '02:00', timezone: 'UTC' }}
            onChange={(s) => set({ schedule: s })}
            errors={e}
            disabled={!isAdmin}
          />
          <Switch
            label="Enabled (runs on its schedule)"
            checked={doc.enabled ?? true}
            onChange={(ev) => set({ enabled: ev.currentTarget.checked })}
          />
          {submit.message && (
            <Alert color="red" role="alert" title="Not saved">
              {Object.keys(e).length === 0
                ? submit.message
                : `The integration has ${Object.keys(e).length === 1 ? '1 problem' : `${Object.keys(e).length} problems`}${notBeside.length < Object.keys(e).length ? ', shown beside their fields' : ''}.`}
              {notBeside.length > 0 && (
                <List size="sm">
                  {notBeside.map(([path, message]) => (
                    <List.Item key={path}>
                      {path}: {message}
                    </List.Item>
                  ))}
                </List>
              )}
            </Alert>
          )}
          {saved && saved.warnings.length === 0 && (
            <Alert color="green" role="status">
              Saved.
            </Alert>
          )}
          {saved && <SaveWarnings title="Saved, but not everything could be checked" warnings={saved.warnings} />}
          {isAdmin && (
            <Group>
              <Button type="submit" loading={submit.busy}>
                {id ? 'Save details' : 'Create integration'}
              </Button>
            </Group>
          )}
        </Stack>
      </fieldset>
      {unsaved.prompt}
      <FormModal opened={creating} onClose={() => setCreating(false)} title="Add new credential" size="lg">
        <CredentialForm
          onCancel={() => setCreating(false)}
          onSaved={(c) => {
            setAdded((a) => [...a, c]);
            set({ source: { ...doc.source, credential: c.name } });
            setCreating(false);
          }}
        />
      </FormModal>
    </form>
  );
}

/**
 * Whether a save's problem at `path` shows beside a field of this form (each input reads its own
 * path from the errors); the others are listed in the "Not saved" alert, so none is left unsaid.
 */
function shownBeside(path: string, local: boolean): boolean {
  const always =
    /^(name|source|destination|recordType|installation|preference|offboarding(\.policy|\.maxShare)?|schedule(\.\w+)?|contacts(\.\d+)?)$/;
  const whenLocal = /^(agent|source\.(url|clientId|clientSecret)|destination\.(url|apiToken))$/;
  if (/^(source\.credential|destination\.connection)$/.test(path)) return true;
  return always.test(path) || (local && whenLocal.test(path));
}

/**
 * A credential that is not authenticated (or a connection whose test failed) can be picked, so an
 * integration can be set up before its sign-in, but it says so: runs fail until it is fixed.
 */
function NotReadyWarning({ credential, connection }: { credential: Credential | undefined; connection: OomnitzaConnection | undefined }) {
  const problems: string[] = [];
  if (credential && credential.status !== 'active')
    problems.push(
      credential.status === 'pending'
        ? `The NinjaOne credential “${credential.name}” is not authenticated yet: open it and press Authenticate.`
        : `The NinjaOne credential “${credential.name}” needs attention (${credential.status.replace('_', ' ')}): open it to authenticate again.`,
    );
  if (connection && connection.status === 'failing')
    problems.push(
      `The Oomnitza connection “${connection.name}” failed its last test${connection.statusReason ? `: ${connection.statusReason}` : ''}.`,
    );
  if (problems.length === 0) return null;
  return (
    <Alert color="yellow" role="status" title="Runs will fail until this is fixed">
      {problems.map((p) => (
        <div key={p}>{p}</div>
      ))}
      <div>You can still save the integration now.</div>
    </Alert>
  );
}
