/**
 * The app: loads the session, then shows first-run setup, the sign-in page, or the signed-in shell
 * with the screen the path names.
 */
import { Alert, Center, Loader } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';

import { api, errorMessage, setCsrfToken, setUnauthorizedHandler } from './api.ts';
import { LoginPage } from './login-page.tsx';
import { Screens } from './screens.tsx';
import { SessionContext } from './session-context.ts';
import { SetupPage } from './setup-page.tsx';
import { Shell } from './shell.tsx';

import type { Session } from '../../src/contracts/session.ts';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const next = await api.get('/api/session');
      setCsrfToken(next.csrfToken);
      setSession(next);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void refresh();
    // An expired session sends the person back to the sign-in page instead of showing errors.
    setUnauthorizedHandler(() => void refresh());
    return () => setUnauthorizedHandler(null);
  }, [refresh]);

  if (error)
    return (
      <Alert color="red" title="ninja-sync is not reachable" m="xl">
        {error}
      </Alert>
    );
  if (!session)
    return (
      <Center h="100vh">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  if (session.setupRequired) return <SetupPage demo={session.demo !== null} onDone={refresh} />;
  if (!session.user) return <LoginPage demo={session.demo !== null} onDone={refresh} />;
  const state = { session, user: session.user, isAdmin: session.user.role === 'admin', refresh };
  return (
    <SessionContext.Provider value={state}>
      <Shell>
        <Screens />
      </Shell>
    </SessionContext.Provider>
  );
}
