/** Which screen a path shows. The server answers index.html for each of these paths. */
import { Title } from '@mantine/core';
import { useEffect } from 'react';

import { AgentsPage } from './agents-page.tsx';
import { CredentialPage } from './credential-page.tsx';
import { CredentialsPage } from './credentials-page.tsx';
import { IntegrationPage } from './integration-page.tsx';
import { IntegrationsPage } from './integrations-page.tsx';
import { PeoplePage } from './people-page.tsx';
import { matchPath, navigate, usePath } from './router.tsx';
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
  return <Title order={2}>Nothing here: pick a screen from the menu.</Title>;
}
