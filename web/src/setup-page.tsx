/** First run: there are no users yet, so the first admin is created here (and signed in). */
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';

import { api } from './api.ts';
import { DemoBanner } from './demo-banner.tsx';
import { useSubmit } from './use-submit.ts';

export function SetupPage({ demo, onDone }: { demo: boolean; onDone: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();
  const onSubmit = (event: FormEvent): void => {
    event.preventDefault();
    void submit.run(() => api.post('/api/setup', { body: { email, name, password } }), onDone);
  };
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={420}>
        <form onSubmit={onSubmit} aria-label="First-run setup">
          <Stack>
            {demo && <DemoBanner />}
            <Title order={2}>Welcome to ninja-sync</Title>
            <Text c="dimmed" size="sm">
              Create the first administrator. You can add more people later.
            </Text>
            <TextInput
              label="Email"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={submit.errors['email']}
              autoComplete="username"
            />
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={submit.errors['name']} />
            <PasswordInput
              label="Password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={submit.errors['password']}
              autoComplete="new-password"
              description="A long passphrase is best."
            />
            {submit.message && (
              <Alert color="red" role="alert">
                {submit.message}
              </Alert>
            )}
            <Button type="submit" loading={submit.busy}>
              Create administrator
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
