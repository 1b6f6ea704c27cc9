/** Sign in with e-mail and password. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';

import { api } from './api.ts';
import { DemoBanner } from './demo-banner.tsx';
import { useSubmit } from './use-submit.ts';

export function LoginPage({ demo, onDone }: { demo: boolean; onDone: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void submit.run(() => api.post('/api/session', { body: { email, password } }), onDone);
  };
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={420}>
        <form onSubmit={onSubmit} aria-label="Sign in">
          <Stack>
            {demo && <DemoBanner />}
            <Title order={2}>Sign in to ninja-sync</Title>
            <TextInput
              label="Email"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={submit.errors['email']}
              autoComplete="username"
            />
            <PasswordInput
              label="Password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={submit.errors['password']}
              autoComplete="current-password"
            />
            {submit.message && (
              <Alert color="red" role="alert">
                {submit.message}
              </Alert>
            )}
            <Button type="submit" loading={submit.busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
