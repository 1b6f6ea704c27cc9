/**
 * Alerts and who hears about them: one open alert per problem, the in-app inbox, and e-mail
 * through an outbox with retries and an hourly cap per contact.
 *
 * @example
 * import { raiseAlert, resolveAlerts, listInbox, deliverPendingEmails, createMailer } from '../notifications/index.ts';
 */
export type { Alert, ListAlertsOptions, NotifyOptions, RaiseAlertInput, RaiseOutcome, ResolveAlertsInput } from './alerts.ts';
export { inTransaction, listAlerts, raiseAlert, resolveAlert, resolveAlerts, rowToAlert } from './alerts.ts';
export type { Contacts } from './contacts.ts';
export { contactsFor } from './contacts.ts';
export type { InboxNotification } from './inbox.ts';
export { listInbox, markAllRead, markRead, rowToNotification, unreadCount } from './inbox.ts';
export type { Mailer, OutgoingEmail } from './mailer.ts';
export { createMailer } from './mailer.ts';
export type { AlertMessage } from './message.ts';
export { alertMessage } from './message.ts';
export type { DeliverOptions, DeliveryReport, OutboxEmail, QueueEmailInput } from './outbox.ts';
export { defaultHourlyEmailCap, deliverPendingEmails, listOutbox, queueEmail } from './outbox.ts';
