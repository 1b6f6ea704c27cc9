/**
 * The notifications bell. The inbox API (`GET /api/notifications`) is being built separately: the
 * bell shows only when that route answers, with the unread count when the answer carries one.
 */
import { ActionIcon, Indicator } from '@mantine/core';
import { useEffect, useState } from 'react';

import { api } from './api.ts';

export function NotificationsBell() {
  const [unread, setUnread] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    api.get<{ unread?: number; notifications?: readonly { read?: boolean; readAt?: string | null }[] }>('/api/notifications')
      .then((answer) => {
        if (!live) return;
        const list = answer.notifications ?? [];
        setUnread(answer.unread ?? list.filter((n) => !(n.read ?? n.readAt)).length);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (unread === null) return null;
  return (
    <Indicator label={unread} disabled={unread === 0} size={16}>
      <ActionIcon variant="subtle" size="lg" aria-label={`Notifications (${unread} unread)`} title="Notifications">
        <span aria-hidden="true">🔔</span>
      </ActionIcon>
    </Indicator>
  );
}
