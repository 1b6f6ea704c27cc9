/**
 * Who hears about an alert. An integration's contacts are the `contacts` of its document: each is
 * an e-mail address, and when it is an app user's address that person also gets the alert in the
 * in-app inbox. A credential's contacts are those of every integration that uses it. When nobody
 * is named, the admins get it in the inbox, so an alert is never heard by no one.
 *
 * @example
 * const { userIds, emails } = await contactsFor(db, { type: 'integration', id });
 */

import type { AppDb } from '../db/app-database.ts';
import type { AlertSubjectType } from '../db/types-alerts.ts';

export interface Contacts {
  /** App users to notify in the inbox. */
  readonly userIds: readonly string[];
  /** Addresses to e-mail (lower-case, each once). */
  readonly emails: readonly string[];
}

/**
 * The contacts of an integration or a credential.
 *
 * @example await contactsFor(db, { type: 'credential', id: credentialId })
 */
export async function contactsFor(db: AppDb, subject: { readonly type: AlertSubjectType; readonly id: string }): Promise<Contacts> {
  const named = subject.type === 'integration' ? await integrationContacts(db, subject.id) : await credentialContacts(db, subject.id);
  const emails = [...new Set(named.map((c) => c.trim().toLowerCase()).filter((c) => /^[^\s@]+@[^\s@]+$/.test(c)))];
  const users = await db.selectFrom('app_users').select(['id', 'email', 'role']).execute();
  const byEmail = new Map(users.map((u) => [u.email.trim().toLowerCase(), u.id]));
  const userIds = emails.flatMap((e) => byEmail.get(e) ?? []);
  if (emails.length === 0) return { userIds: users.filter((u) => u.role === 'admin').map((u) => u.id), emails: [] };
  return { userIds, emails };
}

async function integrationContacts(db: AppDb, id: string): Promise<string[]> {
  const row = await db.selectFrom('integrations').select('document').where('id', '=', id).executeTakeFirst();
  return row === undefined ? [] : contactsOf(row.document);
}

async function credentialContacts(db: AppDb, id: string): Promise<string[]> {
  const credential = await db.selectFrom('credentials').select('name').where('id', '=', id).executeTakeFirst();
  if (credential === undefined) return [];
  const rows = await db.selectFrom('integrations').select('document').execute();
  return rows.flatMap((row) => (credentialNameOf(row.document) === credential.name ? contactsOf(row.document) : []));
}

/** Reads the stored document loosely: a document this code cannot read still must not stop an alert. */
function parseDocument(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function contactsOf(document: string): string[] {
  const contacts = parseDocument(document).contacts;
  return Array.isArray(contacts) ? contacts.filter((c): c is string => typeof c === 'string') : [];
}

function credentialNameOf(document: string): string | undefined {
  const source = parseDocument(document).source;
  const name = typeof source === 'object' && source !== null ? (source as Record<string, unknown>).credential : undefined;
  return typeof name === 'string' ? name : undefined;
}
