/**
 * The signed-in person's inbox (notifications with an unread count, mark read, mark all read) and
 * the alerts list. The inbox belongs to a person: an API token has none and gets a 403 saying so.
 */
import { notificationContracts } from '../../contracts/notifications.ts';
import { listAlerts } from '../../notifications/alerts.ts';
import { listInbox, markAllRead, markRead, unreadCount } from '../../notifications/inbox.ts';
import { ApiError, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';

import type { Principal } from '../auth/principal.ts';
import type { RouteKit } from '../route-kit.ts';

function inboxOwner(principal: Principal | null): string {
  if (principal?.kind === 'session') return principal.user.id;
  throw new ApiError(403, 'no_inbox', 'an API token has no inbox; sign in as a person to read notifications, or read GET /api/alerts');
}

export function registerNotificationRoutes({ app, context, registry, authorize }: RouteKit): void {
  const { db, now } = context;

  defineRoute(app, registry, authorize, {
    ...notificationContracts.inbox,
    access: 'viewer',
    handler: async ({ query, principal }) => {
      const userId = inboxOwner(principal);
      return {
        notifications: await listInbox(db, userId, { unreadOnly: query.unreadOnly, limit: query.limit }),
        unreadCount: await unreadCount(db, userId),
      };
    },
  });

  defineRoute(app, registry, authorize, {
    ...notificationContracts.readAll,
    access: 'viewer',
    handler: async ({ principal }) => ({ marked: await markAllRead(db, inboxOwner(principal), now()) }),
  });

  defineRoute(app, registry, authorize, {
    ...notificationContracts.read,
    access: 'viewer',
    handler: async ({ params, principal }) => {
      if (!(await markRead(db, inboxOwner(principal), params.id, now()))) throw notFound('notification of yours', params.id);
      return undefined;
    },
  });

  defineRoute(app, registry, authorize, {
    ...notificationContracts.alerts,
    access: 'viewer',
    handler: async ({ query }) => ({
      alerts: await listAlerts(db, {
        status: query.status,
        limit: query.limit,
        ...(query.subjectId === undefined ? {} : { subjectId: query.subjectId }),
      }),
    }),
  });
}
