/**
 * The notifications bell with the unread count, and the inbox in a popover (`GET
 * /api/notifications`). The bell shows only when that route answers, so a server without the inbox
 * shows none.
 */
import { ActionIcon, Anchor, Button, Group, Indicator, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';

import { api } from './api.ts';
import { formatWhen } from './format-when.ts';
import { navigate } from './router.tsx';
import { useLoad } from './use-load.ts';

import type { Notification } from '../../src/contracts/notifications.ts';

/** A bell drawn inline: emoji fonts are not everywhere (servers, CI browsers). */
function BellIcon() {
  return (
    <svg
      width="20"
      height="20"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

export function NotificationsBell() {
  const [open, setOpen] = useState(false);
  const { data, reload } = useLoad(() => api.get('/api/notifications', { query: { limit: 20 } }).catch(() => null), []);
  // The count stays live: asked again every 20 s (and on opening), not only when the page loads.
  useEffect(() => {
    const timer = window.setInterval(() => void reload(), 20_000);
    return () => window.clearInterval(timer);
  }, [reload]);
  if (!data) return null;
  const unread = data.unreadCount;
  const follow = async (n: Notification): Promise<void> => {
    setOpen(false);
    if (!n.readAt) await api.post('/api/notifications/:id/read', { params: { id: n.id } }).catch(() => undefined);
    if (n.link) navigate(n.link);
    await reload();
  };
  return (
    <Indicator label={unread} disabled={unread === 0} size={16}>
      <Popover opened={open} onChange={setOpen} position="bottom-end" width={360} shadow="md">
        <Popover.Target>
          <ActionIcon
            variant="subtle"
            size="lg"
            aria-label={`Notifications (${unread} unread)`}
            onClick={() => {
              setOpen((o) => !o);
              void reload();
            }}
          >
            <BellIcon />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown aria-label="Notifications">
          <Group justify="space-between" mb="xs">
            <Text fw={600}>Notifications</Text>
            {unread > 0 && (
              <Button size="compact-xs" variant="subtle" onClick={() => void api.post('/api/notifications/read-all').then(reload)}>
                Mark all read
              </Button>
            )}
          </Group>
          {data.notifications.length === 0 && (
            <Text size="sm" c="dimmed">
              Nothing yet. Failed runs and credentials that need attention show up here.
            </Text>
          )}
          <ScrollArea.Autosize mah={360}>
            <Stack gap="xs">
              {data.notifications.map((n) => (
                <div key={n.id}>
                  <Anchor component="button" type="button" fw={n.readAt ? 400 : 700} size="sm" onClick={() => void follow(n)}>
                    {n.title}
                  </Anchor>
                  <Text size="xs">{n.body}</Text>
                  <Text size="xs" c="dimmed">
                    {formatWhen(n.createdAt)}
                  </Text>
                </div>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
