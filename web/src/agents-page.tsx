/**
 * Configuration → Agents: the local agents that run Local integrations inside a customer's network,
 * each with its version, host, when it was last seen, online or offline, its integrations and its
 * recent runs. Admins enroll an agent (its token and the exact command to start it are shown once,
 * with copy buttons, in a dialog that only "Done" closes: a stray click outside or Escape would lose
 * the token for good) and revoke one after a confirmation that says what stops.
 *
 * @example
 * <AgentsPage />   // at /agents
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';

import { api } from './api.ts';
import { Link } from './router.tsx';
import { ScrollTable } from './scroll-table.tsx';
import { useSession } from './session-context.ts';
import { StatusBadge } from './status-badge.tsx';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

import type { AgentView } from '../../src/contracts/agents.ts';

/** How often the list refreshes itself, so an agent starting up turns online without a reload. */
const refreshMs = 5_000;

export function AgentsPage() {
  const { isAdmin } = useSession();
  const { data, error, reload } = useLoad(() => api.get('/api/agents'), []);
  const [enrolling, setEnrolling] = useState(false);
  // The new agent's token is on screen: it is never shown again.
  const [showingToken, setShowingToken] = useState(false);
  const [revoking, setRevoking] = useState<AgentView | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    const timer = setInterval(() => void reload(), refreshMs);
    return () => clearInterval(timer);
  }, [reload]);

  const live = data?.agents.filter((a) => a.revokedAt === null) ?? [];
  const revoked = data?.agents.filter((a) => a.revokedAt !== null) ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Agents</Title>
        {isAdmin && <Button onClick={() => setEnrolling(true)}>Enroll agent</Button>}
      </Group>
      <Text size="sm" c="dimmed" maw={820}>
        An agent (<Code>ninja-sync agent</Code>) runs the Local integrations assigned to it on a machine inside your network. It only calls
        out to this server, keeps the NinjaOne client secret and the Oomnitza API token on its own machine, and reports every run here.
      </Text>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {done && (
        <Alert color="green" role="status">
          {done}
        </Alert>
      )}
      {data && live.length === 0 && (
        <Text c="dimmed">No agent yet. {isAdmin ? 'Enroll one, then start it with the command shown.' : 'An admin enrolls them.'}</Text>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {live.map((agent) => (
          <AgentCard key={agent.id} agent={agent} onRevoke={isAdmin ? () => setRevoking(agent) : null} />
        ))}
      </SimpleGrid>
      {revoked.length > 0 && (
        <Stack gap="xs">
          <Title order={3}>Revoked</Title>
          <Text size="sm" c="dimmed">
            Their tokens are refused. Their integrations wait until they are assigned to another agent.
          </Text>
          {revoked.map((agent) => (
            <Text size="sm" key={agent.id}>
              {agent.name} — revoked {new Date(agent.revokedAt!).toLocaleString()}
              {agent.integrations.length > 0 ? ` (still named by ${agent.integrations.map((i) => i.name).join(', ')})` : ''}
            </Text>
          ))}
        </Stack>
      )}
      <Modal
        opened={enrolling}
        onClose={() => {
          setEnrolling(false);
          setShowingToken(false);
        }}
        title="Enroll agent"
        size="lg"
        closeOnEscape={!showingToken}
        closeOnClickOutside={!showingToken}
        withCloseButton={!showingToken}
      >
        <EnrollForm
          onClose={() => {
            setEnrolling(false);
            setShowingToken(false);
          }}
          onEnrolled={async () => {
            setShowingToken(true);
            setDone(null);
            await reload();
          }}
        />
      </Modal>
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title={`Revoke agent ${revoking?.name ?? ''}?`}>
        {revoking && (
          <RevokeConfirm
            agent={revoking}
            onCancel={() => setRevoking(null)}
            onRevoked={async () => {
              setDone(`The agent ${revoking.name} is revoked: its token is refused from its next request.`);
              setRevoking(null);
              await reload();
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}

function AgentCard({ agent, onRevoke }: { agent: AgentView; onRevoke: (() => void) | null }) {
  return (
    <Card withBorder shadow="xs" aria-label={`Agent ${agent.name}`} component="section">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2}>
          <Title order={3} size="h4">
            {agent.name}
          </Title>
          <Text size="sm" c="dimmed">
            {agent.version ? `version ${agent.version}` : 'not started yet'}
            {agent.hostname ? ` on ${agent.hostname}` : ''} · token …{agent.tokenHint}
          </Text>
        </Stack>
        <Badge color={agent.online ? 'green' : 'gray'} variant="light" data-status={agent.online ? 'online' : 'offline'}>
          {agent.online ? 'online' : 'offline'}
        </Badge>
      </Group>
      <Text size="sm" mt="xs">
        Last seen: {agent.lastSeenAt ? new Date(agent.lastSeenAt).toLocaleString() : 'never (start it with the command from enrolling)'}
      </Text>
      <Text size="sm" mt="xs" fw={500}>
        Integrations
      </Text>
      {agent.integrations.length === 0 ? (
        <Text size="sm" c="dimmed">
          None yet: pick this agent in an integration with installation Local.
        </Text>
      ) : (
        <Group gap="xs">
          {agent.integrations.map((i) => (
            <Link key={i.id} to={`/integrations/${i.id}`}>
              {i.name}
              {i.enabled ? '' : ' (disabled)'}
            </Link>
          ))}
        </Group>
      )}
      <Text size="sm" mt="xs" fw={500}>
        Recent runs
      </Text>
      {agent.recentRuns.length === 0 ? (
        <Text size="sm" c="dimmed">
          None yet.
        </Text>
      ) : (
        <ScrollTable label={`Recent runs of ${agent.name}`} minWidth={420}>
          <Table aria-label={`Recent runs of ${agent.name}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Run</Table.Th>
                <Table.Th>Integration</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Records</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {agent.recentRuns.map((run) => (
                <Table.Tr key={run.id}>
                  <Table.Td>
                    <Link to={`/runs/${run.id}`}>{new Date(run.queuedAt).toLocaleString()}</Link>
                    {run.dryRun ? ' (dry run)' : ''}
                  </Table.Td>
                  <Table.Td>{run.integrationName}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={run.state} />
                  </Table.Td>
                  <Table.Td>{Object.values(run.counts).reduce((sum, n) => sum + n, 0)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {onRevoke && (
        <Group mt="sm" justify="flex-end">
          <Button size="xs" variant="outline" color="red" onClick={onRevoke}>
            Revoke {agent.name}
          </Button>
        </Group>
      )}
    </Card>
  );
}

function EnrollForm({ onClose, onEnrolled }: { onClose: () => void; onEnrolled: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [enrolled, setEnrolled] = useState<{ token: string; command: string; name: string } | null>(null);
  const submit = useSubmit();
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void submit.run(
      () => api.post('/api/agents', { body: { name } }),
      async (answer) => {
        setEnrolled({ token: answer.token, command: answer.command, name: answer.agent.name });
        await onEnrolled();
      },
    );
  };
  if (enrolled)
    return (
      <Stack aria-label="Agent enrolled" role="group">
        <Alert color="yellow" title="Copy the token now">
          This is the only time the token of {enrolled.name} is shown. Keep it like a password: it lets its holder take the runs of the
          integrations assigned to {enrolled.name}.
        </Alert>
        <Text size="sm" fw={500}>
          Token
        </Text>
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <Code aria-label="Agent token" style={{ wordBreak: 'break-all' }}>
            {enrolled.token}
          </Code>
          <CopyButton value={enrolled.token}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy} style={{ flexShrink: 0 }}>
                {copied ? 'Copied' : 'Copy token'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Text size="sm" fw={500}>
          On the agent's machine, with its secrets in its environment (e.g. NINJAONE_CLIENT_SECRET, OOMNITZA_API_TOKEN), run:
        </Text>
        <Code block aria-label="Command to start the agent" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {enrolled.command}
        </Code>
        <Group justify="space-between">
          <CopyButton value={enrolled.command}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy command'}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    );
  return (
    <form onSubmit={onSubmit} aria-label="Enroll agent">
      <Stack>
        <TextInput
          label="Name"
          description="Where it runs, e.g. site-a or acme-hq; integrations name their agent by it"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={submit.errors['name']}
        />
        {submit.message && !submit.errors['name'] && (
          <Alert color="red" role="alert">
            {submit.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={submit.busy}>
            Enroll
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function RevokeConfirm({ agent, onCancel, onRevoked }: { agent: AgentView; onCancel: () => void; onRevoked: () => Promise<void> }) {
  const submit = useSubmit();
  return (
    <Stack>
      <Text size="sm">
        Its token stops working on its next request, and a run it holds ends failed once it stops sending heartbeats.
        {agent.integrations.length > 0
          ? ` ${agent.integrations.map((i) => i.name).join(', ')} will not run until assigned to another agent.`
          : ' No integration is assigned to it.'}{' '}
        This cannot be undone: enroll a new agent to start again.
      </Text>
      {submit.message && (
        <Alert color="red" role="alert">
          {submit.message}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button
          color="red"
          loading={submit.busy}
          onClick={() => void submit.run(() => api.delete('/api/agents/:id', { params: { id: agent.id } }), onRevoked)}
        >
          Revoke {agent.name}
        </Button>
      </Group>
    </Stack>
  );
}
