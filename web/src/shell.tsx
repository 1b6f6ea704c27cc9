/**
 * The signed-in frame: header (demo banner, bell, who is signed in, sign out) and the menu. Below
 * the `sm` breakpoint (a phone) the menu folds away behind a button in the header and closes again
 * once a screen is picked.
 */
import { AppShell, Badge, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';

import { api } from './api.ts';
import { DemoBanner } from './demo-banner.tsx';
import { NotificationsBell } from './notifications-bell.tsx';
import { navigate, usePath } from './router.tsx';
import { useSession } from './session-context.ts';

import type { ReactNode } from 'react';

const menuItems = [
  { to: '/integrations', label: 'Integrations' },
  { to: '/credentials', label: 'Credentials' },
  { to: '/runs', label: 'Runs' },
  { to: '/agents', label: 'Agents' },
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const { session, user, isAdmin, refresh } = useSession();
  const path = usePath();
  const [menuOpen, menu] = useDisclosure(false);
  // Mantine's `sm` breakpoint: below it the folded menu is also out of the tab order (inert).
  const wide = useMediaQuery('(min-width: 48em)', true);
  const signOut = async (): Promise<void> => {
    await api.delete('/api/session').catch(() => undefined);
    navigate('/');
    await refresh();
  };
  return (
    <AppShell
      header={{ height: session.demo ? { base: 120, sm: 96 } : 56 }}
      navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !menuOpen } }}
      padding="md"
    >
      <AppShell.Header>
        <Stack gap={0}>
          {session.demo && <DemoBanner />}
          <Group h={56} px="md" justify="space-between" wrap="nowrap">
            <Group gap="xs" wrap="nowrap">
              <Burger
                opened={menuOpen}
                onClick={menu.toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={menuOpen ? 'Close the menu' : 'Open the menu'}
                aria-expanded={menuOpen}
                aria-controls="main-menu"
              />
              <Title order={3} style={{ whiteSpace: 'nowrap' }}>
                ninja-sync
              </Title>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <NotificationsBell />
              <Text size="sm" visibleFrom="sm">
                {user.name || user.email}
              </Text>
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
      <AppShell.Navbar p="xs" aria-label="Main menu" id="main-menu" inert={!wide && !menuOpen}>
        {[...menuItems, ...(isAdmin ? [{ to: '/people', label: 'People' } as const] : [])].map((item) => (
          <NavLink
            key={item.to}
            href={item.to}
            label={item.label}
            active={path.startsWith(item.to)}
            onClick={(e) => {
              e.preventDefault();
              menu.close();
              navigate(item.to);
            }}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
