/**
 * Writing Oomnitza users: `POST /api/v3/users` to create, `PATCH /api/v3/users/{uid}` to change.
 *
 * A PATCH sets fields to given values, so sending it twice is harmless: it is retried like a GET.
 * A POST is not retried blindly (see create-once.ts): after an ambiguous failure the user is looked
 * up by a unique field the record carries (`username`, which Oomnitza requires and keeps unique,
 * else `email`) and the POST is repeated only when it is not there.
 *
 * @example
 * const user = await createUser(transport, { username: 'ada', email: 'ada@example.com' }, { pageSize: 500 });
 * await updateUser(transport, user.id, { position: 'Engineer' });
 */
import { createOnce } from './create-once.ts';
import { unexpectedAnswer, withRecordContext } from './transport.ts';
import { findUsers, toDestinationUser } from './users-read.ts';

import type { DestinationUser } from '../sync/ports.ts';
import type { OomnitzaTransport } from './transport.ts';
import type { OomnitzaRecord, PageOptions, ReadOptions } from './users-read.ts';

/** Unique fields a created user is looked up by after an ambiguous failure, in order. */
export const createLookupFields = ['username', 'email'] as const;

export interface CreateOptions extends PageOptions {
  /** POSTs in all, lookups between them; default 3. */
  readonly maxCreateAttempts?: number;
}

/** How a person recognises a user record in a message. */
export function userLabel(fields: Readonly<Record<string, unknown>>, id?: string): string {
  for (const key of ['email', 'username', 'full_name']) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '') return `user "${value}"`;
  }
  return id === undefined ? 'a user without email or username' : `user ${id}`;
}

export async function createUser(
  transport: OomnitzaTransport,
  fields: Readonly<Record<string, unknown>>,
  options: CreateOptions,
): Promise<DestinationUser> {
  const url = transport.url('/api/v3/users');
  const key = lookupKeyOf(fields);
  const { record } = await createOnce(transport, {
    label: userLabel(fields),
    lookupKey: key?.[0] ?? 'username',
    signal: options.signal,
    ...(options.maxCreateAttempts === undefined ? {} : { maxAttempts: options.maxCreateAttempts }),
    async post() {
      const response = await transport.send<unknown>('POST', url, { json: fields, signal: options.signal });
      const user =
        typeof response.body === 'object' && response.body !== null ? toDestinationUser(response.body as OomnitzaRecord, null) : null;
      if (user === null) throw unexpectedAnswer('POST', url, response.status, 'the created user (with its uid)');
      return user;
    },
    lookup: key === undefined ? null : () => lookUpCreatedUser(transport, key, options),
  });
  return record;
}

/** The first unique field the record carries a text value for. */
function lookupKeyOf(fields: Readonly<Record<string, unknown>>): readonly [string, string] | undefined {
  for (const key of createLookupFields) {
    const value = fields[key];
    if (typeof value === 'string' && value !== '') return [key, value];
  }
  return undefined;
}

/** The user a POST carrying `field = value` created, in full, or null. */
async function lookUpCreatedUser(
  transport: OomnitzaTransport,
  [field, value]: readonly [string, string],
  options: PageOptions,
): Promise<DestinationUser | null> {
  const matches = await findUsers(transport, field, [value], [field], options);
  const exact = matches.filter((user) => {
    const stored = user.fields[field];
    return typeof stored === 'string' && stored.toLowerCase() === value.toLowerCase();
  });
  const match = exact[0] ?? matches[0];
  if (match === undefined) return null;
  // The whole record, as a successful POST would have returned it.
  const response = await transport.send<unknown>('GET', transport.url(`/api/v3/users/${encodeURIComponent(match.id)}`), {
    signal: options.signal,
  });
  const full =
    typeof response.body === 'object' && response.body !== null ? toDestinationUser(response.body as OomnitzaRecord, null) : null;
  return full ?? match;
}

/** `PATCH /api/v3/users/{uid}` with only the changed fields; retried like a GET (it is idempotent). */
export async function updateUser(
  transport: OomnitzaTransport,
  id: string,
  patch: Readonly<Record<string, unknown>>,
  options: ReadOptions = {},
): Promise<DestinationUser> {
  const url = transport.url(`/api/v3/users/${encodeURIComponent(id)}`);
  try {
    const response = await transport.send<unknown>('PATCH', url, { json: patch, idempotent: true, signal: options.signal });
    const user =
      typeof response.body === 'object' && response.body !== null ? toDestinationUser(response.body as OomnitzaRecord, null) : null;
    if (user === null) throw unexpectedAnswer('PATCH', url, response.status, 'the updated user (with its uid)');
    return user;
  } catch (error) {
    throw withRecordContext(error, `updating ${userLabel(patch, id)}${describeFields(patch)}`);
  }
}

function describeFields(patch: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(patch);
  if (names.length === 0) return '';
  return ` (fields ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''})`;
}
