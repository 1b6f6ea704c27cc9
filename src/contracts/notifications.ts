/**
 * The notifications API (`src/server/routes/notifications.ts`): the signed-in person's inbox (with
 * an unread count, mark read, mark all read) and the alerts list.
 *
 * @example
 * const { notifications, unreadCount } = await api.get('/api/notifications', { query: { limit: 20 } });
 */
import { z } from 'zod';

import { alertConditions, alertSubjectTypes } from '../db/types-alerts.ts';
import { defineContract, idParamsSchema } from './route-contract.ts';

export const notificationSchema = z.strictObject({
  id: z.string(),
  alertId: z.string().nullable(),
  kind: z.enum(['alert', 'recovered']),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable().describe('path in the app, e.g. /runs/<id>'),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Notification = z.output<typeof notificationSchema>;

export const alertSchema = z.strictObject({
  id: z.string(),
  subjectType: z.enum(alertSubjectTypes),
  subjectId: z.string(),
  subjectName: z.string(),
  condition: z.enum(alertConditions),
  message: z.string(),
  error: z.string().nullable(),
  runId: z.string().nullable(),
  count: z.number().int().describe('how many times the problem was seen while the alert was open'),
  openedAt: z.string(),
  lastSeenAt: z.string(),
  resolvedAt: z.string().nullable(),
});

export const inboxQuerySchema = z.strictObject({
  unreadOnly: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const alertsQuerySchema = z.strictObject({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  subjectId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const notificationContracts = {
  inbox: defineContract({
    method: 'GET',
    url: '/api/notifications',
    summary: "The signed-in person's notifications, newest first, with the unread count",
    tags: ['notifications'],
    query: inboxQuerySchema,
    response: z.strictObject({ notifications: z.array(notificationSchema), unreadCount: z.number().int() }),
  }),
  readAll: defineContract({
    method: 'POST',
    url: '/api/notifications/read-all',
    summary: "Mark all of the signed-in person's notifications read",
    tags: ['notifications'],
    response: z.strictObject({ marked: z.number().int() }),
  }),
  read: defineContract({
    method: 'POST',
    url: '/api/notifications/:id/read',
    summary: 'Mark one notification read',
    tags: ['notifications'],
    params: idParamsSchema,
  }),
  alerts: defineContract({
    method: 'GET',
    url: '/api/alerts',
    summary: 'Alerts, most recently seen first (open ones by default)',
    tags: ['notifications'],
    query: alertsQuerySchema,
    response: z.strictObject({ alerts: z.array(alertSchema) }),
  }),
};
