/**
 * One integration, in tabs: details, mapping and runs. `/integrations/new` opens the details form
 * for a new integration, pre-filled with the first credential and connection.
 */
import { Alert, Anchor, Button, Group, Stack, Tabs, Title } from '@mantine/core';

import { api, apiUrl } from './api.ts';
import { IntegrationForm } from './integration-form.tsx';
import { IntegrationSummary } from './integration-summary.tsx';
import { MappingEditor } from './mapping-editor.tsx';
import { newIntegrationDocument } from './new-integration.ts';
import { Link, navigate } from './router.tsx';
import { RunsPanel } from './runs-panel.tsx';
import { useSession } from './session-context.ts';
import { useLoad } from './use-load.ts';
import { useSubmit } from './use-submit.ts';

export function IntegrationPage({ id, tab }: { id: string; tab: string }) {
  const isNew = id === 'new';
  const { isAdmin } = useSession();
  const removal = useSubmit();
  const { data, error, reload } = useLoad(async () => {
    const [credentials, { connections }, { agents }, integration] = await Promise.all([
      api.get('/api/credentials'),
      api.get('/api/oomnitza-connections'),
      api.get('/api/agents'),
      isNew ? Promise.resolve(null) : api.get('/api/integrations/:id', { params: { id } }),
    ]);
    return { credentials: credentials.credentials, connections, agents, integration };
  }, [id]);

  if (error)
    return (
      <Alert color="red" role="alert">
        {error}
      </Alert>
    );
  if (!data) return null;
  const { integration } = data;
  const document = integration?.document ?? newIntegrationDocument(data.credentials[0]?.name ?? '', data.connections[0]?.name ?? '');
  // A viewer reads the details; only an admin gets the form.
  const form =
    integration && !isAdmin ? (
      <IntegrationSummary integration={integration} credentials={data.credentials} connections={data.connections} />
    ) : (
      <IntegrationForm
        id={integration?.id ?? null}
        document={document}
        credentials={data.credentials}
        connections={data.connections}
        agents={data.agents}
        onSaved={(saved) => {
          if (isNew) navigate(`/integrations/${saved.id}/mapping`);
          else void reload();
        }}
      />
    );
  return (
    <Stack>
      <Link to="/integrations">← Integrations</Link>
      <Group justify="space-between">
        <Title order={2}>{integration ? integration.name : 'New integration'}</Title>
        {integration && (
          <Group>
            <Anchor href={apiUrl('/api/integrations/:id/export', { params: { id: integration.id } })} download>
              Export YAML
            </Anchor>
            {isAdmin && (
              <Button
                variant="outline"
                color="red"
                size="xs"
                loading={removal.busy}
                onClick={() => {
                  if (window.confirm(`Delete the integration “${integration.name}”? Its runs stay in the history.`))
                    void removal.run(
                      () => api.delete('/api/integrations/:id', { params: { id: integration.id } }),
                      () => navigate('/integrations', { discard: true }),
                    );
                }}
              >
                Delete integration
              </Button>
            )}
          </Group>
        )}
      </Group>
      {removal.message && (
        <Alert color="red" role="alert">
          {removal.message}
        </Alert>
      )}
      {isNew ? (
        form
      ) : (
        <Tabs
          value={tab}
          onChange={(next) => navigate(next === 'details' ? `/integrations/${id}` : `/integrations/${id}/${next ?? ''}`)}
          keepMounted={false}
        >
          <Tabs.List>
            <Tabs.Tab value="details">Details</Tabs.Tab>
            <Tabs.Tab value="mapping">Mapping</Tabs.Tab>
            <Tabs.Tab value="runs">Runs</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="details" pt="md">
            {form}
          </Tabs.Panel>
          <Tabs.Panel value="mapping" pt="md">
            {integration && <MappingEditor integration={integration} onSaved={reload} />}
          </Tabs.Panel>
          <Tabs.Panel value="runs" pt="md">
            {integration && <RunsPanel integration={integration} />}
          </Tabs.Panel>
        </Tabs>
      )}
    </Stack>
  );
}
