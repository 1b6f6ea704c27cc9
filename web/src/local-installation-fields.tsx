/**
 * The connection settings of a Local integration: the agent that runs it, and the NinjaOne and
 * Oomnitza settings it reaches them with. The secrets stay on the agent, so the form takes only the
 * *names* of the variables the agent holds them in (`${NINJAONE_CLIENT_SECRET}`); the server stores
 * nothing else. OAuth is not available for a Local installation (the NinjaOne doc: it uses client
 * credentials), so picking an OAuth credential is refused beside the field, with that reason; a
 * client-credentials one lends its URL and client ID, never its secret.
 *
 * @example
 * <LocalInstallationFields doc={doc} set={set} errors={submit.errors} credentials={credentials} connections={connections} agents={agents} />
 */
import { Group, Select, SimpleGrid, Stack, Switch, Text, TextInput, Title } from '@mantine/core';

import { Link } from './router.tsx';

import type { AgentView } from '../../src/contracts/agents.ts';
import type { Credential } from '../../src/contracts/credentials.ts';
import type { IntegrationInput } from '../../src/contracts/integrations.ts';
import type { OomnitzaConnection } from '../../src/contracts/oomnitza-connections.ts';

/** The NinjaOne doc's reason, as the server gives it (src/integrations/local-installation.ts). */
export const oauthRefusal = 'OAuth is not available for a Local installation: it uses client credentials.';

const variablePattern = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** `${NAME}` → `NAME`; anything else as typed (the server refuses it with why). */
function variableOf(value: string | undefined): string {
  if (value === undefined) return '';
  return variablePattern.exec(value)?.[1] ?? value;
}

function asReference(name: string): string {
  const trimmed = name.trim();
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(trimmed) ? `\${${trimmed}}` : trimmed;
}

/** The part with a text field set, or left out when emptied (the server then says it is needed). */
function withText<T extends object, K extends keyof T & string>(part: T, key: K, text: string): T {
  return (text === '' ? without(part, key) : { ...part, [key]: text }) as T;
}

/** The problem of picking this stored credential for a Local integration, before the server says it. */
export function localCredentialProblem(name: string | undefined, credentials: readonly Credential[]): string | undefined {
  if (!name) return undefined;
  const credential = credentials.find((c) => c.name === name);
  if (credential?.grantType === 'authorization_code')
    return `"${name}" is an OAuth credential. ${oauthRefusal} Pick a client-credentials app, or give its URL and client ID below.`;
  return undefined;
}

/** A copy without one key (a field left out, not set to undefined). */
function without<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _dropped, ...rest } = value;
  return rest;
}

/**
 * The document switched to Local: a client-credentials credential becomes its URL and client ID
 * (the secret named, never copied), a connection its URL; an OAuth credential stays named, so the
 * refusal shows beside it.
 */
export function toLocal(
  doc: IntegrationInput,
  credentials: readonly Credential[],
  connections: readonly OomnitzaConnection[],
): IntegrationInput {
  const credential = credentials.find((c) => c.name === doc.source.credential);
  const connection = connections.find((c) => c.name === doc.destination.connection);
  const oauth = credential?.grantType === 'authorization_code';
  return {
    ...doc,
    installation: 'local',
    source: oauth
      ? doc.source
      : {
          ...without(doc.source, 'credential'),
          ...(credential ? { url: credential.url, clientId: credential.clientId } : {}),
          clientSecret: doc.source.clientSecret ?? '${NINJAONE_CLIENT_SECRET}',
        },
    destination: {
      ...without(doc.destination, 'connection'),
      ...(connection ? { url: connection.url } : {}),
      apiToken: doc.destination.apiToken ?? '${OOMNITZA_API_TOKEN}',
    },
    allowInsecureHttp:
      (credential?.allowInsecureHttp ?? false) || (connection?.allowInsecureHttp ?? false) || (doc.allowInsecureHttp ?? false),
  };
}

/** Back to Cloud: a stored credential and connection named again, no agent, no inline settings. */
export function toCloud(doc: IntegrationInput, credential: string, connection: string): IntegrationInput {
  return {
    ...without(doc, 'agent'),
    installation: 'cloud',
    source: { credential: doc.source.credential ?? credential, ...(doc.source.userType ? { userType: doc.source.userType } : {}) },
    destination: { connection },
    allowInsecureHttp: false,
  };
}

export function LocalInstallationFields({
  doc,
  set,
  errors: e,
  credentials,
  agents,
  disabled,
}: {
  doc: IntegrationInput;
  set: (patch: Partial<IntegrationInput>) => void;
  errors: Readonly<Record<string, string>>;
  credentials: readonly Credential[];
  agents: readonly AgentView[];
  disabled: boolean;
}) {
  const live = agents.filter((a) => a.revokedAt === null);
  const named = doc.agent;
  const agentChoices = live.map((a) => ({ value: a.name, label: `${a.name} (${a.online ? 'online' : 'offline'})` }));
  // A stored document may name an agent since revoked: keep it visible, with the server's reason.
  if (named && !live.some((a) => a.name === named)) agentChoices.push({ value: named, label: `${named} (revoked or unknown)` });
  const credentialProblem = e['source.credential'] ?? localCredentialProblem(doc.source.credential, credentials);

  const pickCredential = (name: string | null): void => {
    const credential = credentials.find((c) => c.name === name);
    const source = without(doc.source, 'credential');
    if (!credential) return set({ source });
    if (credential.grantType === 'authorization_code') return set({ source: { ...doc.source, credential: credential.name } });
    set({
      source: {
        ...source,
        url: credential.url,
        clientId: credential.clientId,
        clientSecret: source.clientSecret ?? '${NINJAONE_CLIENT_SECRET}',
      },
      allowInsecureHttp: (doc.allowInsecureHttp ?? false) || credential.allowInsecureHttp,
    });
  };

  return (
    <Stack gap="sm" role="group" aria-label="Local installation">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select
          label="Agent"
          description="The ninja-sync agent that runs this integration inside your network"
          placeholder={live.length ? 'Pick an agent' : 'Enroll one under Agents first'}
          data={agentChoices}
          value={named ?? null}
          onChange={(v) => v && set({ agent: v })}
          error={e['agent']}
          allowDeselect={false}
          required
        />
        <Select
          label="NinjaOne credential"
          description="Optional: a client-credentials app lends its URL and client ID here; its secret stays on the agent"
          placeholder="None: the agent holds it"
          data={credentials.map((c) => ({
            value: c.name,
            label: `${c.name} (${c.grantType === 'authorization_code' ? 'OAuth' : 'client credentials'})`,
          }))}
          value={doc.source.credential ?? null}
          onChange={pickCredential}
          error={credentialProblem}
          clearable
        />
      </SimpleGrid>
      <Group gap="md">
        <Link to="/agents">Agents (enroll, see who is online)</Link>
      </Group>
      <Title order={4}>NinjaOne, as the agent reaches it</Title>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label="NinjaOne URL"
          placeholder="https://acme.rmmservice.com"
          value={doc.source.url ?? ''}
          onChange={(ev) => set({ source: withText(doc.source, 'url', ev.currentTarget.value) })}
          error={e['source.url']}
          disabled={disabled}
        />
        <TextInput
          label="Client ID"
          description="Of a NinjaOne API client app with the client credentials grant"
          value={doc.source.clientId ?? ''}
          onChange={(ev) => set({ source: withText(doc.source, 'clientId', ev.currentTarget.value) })}
          error={e['source.clientId']}
          disabled={disabled}
        />
        <TextInput
          label="Client secret: variable on the agent"
          description="The agent reads it from its environment or its sealed store; the server keeps only this name"
          placeholder="NINJAONE_CLIENT_SECRET"
          leftSection={<Text size="sm">{'${'}</Text>}
          rightSection={<Text size="sm">{'}'}</Text>}
          value={variableOf(doc.source.clientSecret)}
          onChange={(ev) => set({ source: withText(doc.source, 'clientSecret', asReference(ev.currentTarget.value)) })}
          error={e['source.clientSecret']}
          disabled={disabled}
        />
      </SimpleGrid>
      <Title order={4}>Oomnitza, as the agent reaches it</Title>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label="Oomnitza URL"
          placeholder="https://acme.oomnitza.com"
          value={doc.destination.url ?? ''}
          onChange={(ev) => set({ destination: withText(doc.destination, 'url', ev.currentTarget.value) })}
          error={e['destination.url'] ?? e['destination.connection']}
          disabled={disabled}
        />
        <TextInput
          label="API token: variable on the agent"
          description="Set on the agent, e.g. ninja-sync agent secret set OOMNITZA_API_TOKEN"
          placeholder="OOMNITZA_API_TOKEN"
          leftSection={<Text size="sm">{'${'}</Text>}
          rightSection={<Text size="sm">{'}'}</Text>}
          value={variableOf(doc.destination.apiToken)}
          onChange={(ev) => set({ destination: withText(doc.destination, 'apiToken', asReference(ev.currentTarget.value)) })}
          error={e['destination.apiToken']}
          disabled={disabled}
        />
        <Switch
          mt="lg"
          label="Allow plain http (emulators on loopback only)"
          checked={doc.allowInsecureHttp ?? false}
          onChange={(ev) => set({ allowInsecureHttp: ev.currentTarget.checked })}
          disabled={disabled}
        />
      </SimpleGrid>
    </Stack>
  );
}
