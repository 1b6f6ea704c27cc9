/** Which screen a path shows. The server answers index.html for each of these paths. */
import { Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';

import { AgentsPage } from './agents-page.tsx';
import { CredentialPage } from './credential-page.tsx';
import { CredentialsPage } from './credentials-page.tsx';
import { IntegrationPage } from './integration-page.tsx';
import { IntegrationsPage } from './integrations-page.tsx';
import { PeoplePage } from './people-page.tsx';
import { Link, matchPath, navigate, usePath } from './router.tsx';
import { RunPage } from './run-page.tsx';
import { RunsPage } from './runs-page.tsx';

export function Screens() {
  const path = usePath();
  useEffect(() => {
    if (path === '/' || path === '/login' || path === '/setup') navigate('/integrations');
  }, [path]);
  let params: Record<string, string> | null;
  if (path === '/credentials') return <CredentialsPage />;
  if ((params = matchPath('/credentials/:id', path))) return <CredentialPage id={params['id']!} />;
  if (path === '/integrations') return <IntegrationsPage />;
  if ((params = matchPath('/integrations/:id', path))) return <IntegrationPage id={params['id']!} tab="details" />;
  if ((params = matchPath('/integrations/:id/:tab', path))) return <IntegrationPage id={params['id']!} tab={params['tab']!} />;
  if (path === '/people') return <PeoplePage />;
  if (path === '/agents') return <AgentsPage />;
  if (path === '/runs') return <RunsPage />;
  if ((params = matchPath('/runs/:id', path))) return <RunPage id={params['id']!} />;
  return <NotFound path={path} />;
}

/** A path the app has no screen for (the server answers it with 404 and this page). */
function NotFound({ path }: { path: string }) {
  return (
    <Stack>
      <Title order={2}>Page not found</Title>
      <Text>
        There is no page at <code>{path}</code>. It may have moved, or the link was mistyped.
      </Text>
      <Link to="/integrations">Go to the integrations</Link>
    </Stack>
  );
}
