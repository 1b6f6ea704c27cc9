/** The signed-in frame: header (demo banner, bell, who is signed in, sign out) and the menu. */
import { AppShell, Badge, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';

import { untypedApi } from './api.ts';
import { DemoBanner } from './demo-banner.tsx';
import { NotificationsBell } from './notifications-bell.tsx';
import { navigate, usePath } from './router.tsx';
import { useSession } from './session-context.ts';

import type { ReactNode } from 'react';

const menu = [
  { to: '/integrations', label: 'Integrations' },
  { to: '/credentials', label: 'Credentials' },
  { to: '/runs', label: 'Runs' },
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const { session, user, isAdmin, refresh } = useSession();
  const path = usePath();
  const signOut = async (): Promise<void> => {
    await untypedApi.delete('/api/session').catch(() => undefined);
    navigate('/');
    await refresh();
  };
  return (
    <AppShell header={{ height: session.demo ? 96 : 56 }} navbar={{ width: 210, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Stack gap={0}>
          {session.demo && <DemoBanner />}
          <Group h={56} px="md" justify="space-between">
            <Title order={3}>ninja-sync</Title>
            <Group gap="sm">
              <NotificationsBell />
              <Text size="sm">{user.name || user.email}</Text>
              <Badge variant="light" color={isAdmin ? 'blue' : 'gray'}>
                {user.role}
              </Badge>
              <Button variant="default" size="xs" onClick={() => void signOut()}>
                Sign out
              </Button>
            </Group>
          </Group>
        </Stack>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main menu">
        {menu.map((item) => (
          <NavLink
            key={item.to}
            href={item.to}
            label={item.label}
            active={path.startsWith(item.to)}
            onClick={(e) => {
              e.preventDefault();
              navigate(item.to);
            }}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
