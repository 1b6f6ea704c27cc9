/**
 * App users (people who sign in to ninja-sync) and their roles: admin (everything) and viewer (read
 * only, no secrets). The first admin is created by `ninja-sync admin create` or the one-time setup
 * page, which only works while there are no users.
 *
 * @example
 * const user = await createAppUser(db, { email: 'it@acme.example', name: 'IT', role: 'admin', password }, new Date());
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';

import { dialectOf } from '../db/open-database.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

import type { AppDb } from '../db/app-database.ts';
import type { AppRole, AppUsersTable } from '../db/types-accounts.ts';

export interface AppUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: AppRole;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
  /** Set while the person may not sign in. */
  readonly disabledAt: string | null;
}

export class AccountError extends Error {
  override readonly name = 'AccountError';
  constructor(
    readonly code: 'weak_password' | 'email_taken' | 'invalid_email' | 'setup_done' | 'not_found' | 'last_admin' | 'disabled' | 'self',
    message: string,
  ) {
    super(message);
  }
}

export function appUserRowToAppUser(row: AppUsersTable): AppUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
    disabledAt: row.disabled_at,
  };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function countAppUsers(db: AppDb): Promise<number> {
  const row = await db
    .selectFrom('app_users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function createAppUser(
  db: AppDb,
  input: { email: string; name: string; role: AppRole; password: string },
  now: Date,
): Promise<AppUser> {
  const row = await newUserRow(input, now);
  const existing = await db.selectFrom('app_users').select('id').where('email', '=', row.email).executeTakeFirst();
  if (existing) throw new AccountError('email_taken', `a user with e-mail ${row.email} exists already`);
  await db.insertInto('app_users').values(row).execute();
  return appUserRowToAppUser(row);
}

/**
 * The first admin, only while there are no users, and exactly one however many setups race: the
 * check and the insert run in one transaction that holds a lock (a PostgreSQL advisory lock; on
 * SQLite the one connection serialises transactions).
 */
export async function createFirstAdmin(db: AppDb, input: { email: string; name: string; password: string }, now: Date): Promise<AppUser> {
  const row = await newUserRow({ ...input, role: 'admin' }, now);
  return db.transaction().execute(async function insertFirstAdmin(trx) {
    await lockAdmins(trx);
    if ((await countAppUsers(trx)) > 0)
      throw new AccountError('setup_done', 'setup is done already; sign in, or ask an admin for an account');
    await trx.insertInto('app_users').values(row).execute();
    return appUserRowToAppUser(row);
  });
}

/** An arbitrary, fixed advisory-lock number for "who the admins are" (the first one, the last one). */
const adminsLock = 7_201_104_501;

/**
 * Serialises the transactions that count admins before they change one, till they commit. Without
 * it, on PostgreSQL two admins disabling (or demoting) each other at once both count two enabled
 * admins, both go ahead, and no one is left to manage people. On SQLite the one connection already
 * runs one transaction at a time.
 */
async function lockAdmins(trx: AppDb): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${adminsLock})`.execute(trx);
}

async function newUserRow(input: { email: string; name: string; role: AppRole; password: string }, now: Date): Promise<AppUsersTable> {
  const email = normaliseEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AccountError('invalid_email', `"${input.email}" is not an e-mail address`);
  const problem = passwordProblem(input.password);
  if (problem) throw new AccountError('weak_password', `password: ${problem}`);
  return {
    id: randomUUID(),
    email,
    name: input.name.trim() || email,
    role: input.role,
    password_hash: await hashPassword(input.password),
    created_at: now.toISOString(),
    last_login_at: null,
    disabled_at: null,
  };
}

/**
 * The user when the password is right; null otherwise (the caller does not learn which part was
 * wrong). A disabled person with the right password is told so (`AccountError` "disabled").
 */
export async function checkPassword(db: AppDb, email: string, password: string, now: Date): Promise<AppUser | null> {
  const row = await db.selectFrom('app_users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
  if (!row) {
    // Spend the same time as a real check, so response time does not reveal which e-mails exist.
    await verifyPassword(password, 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    return null;
  }
  if (!(await verifyPassword(password, row.password_hash))) return null;
  if (row.disabled_at !== null)
    throw new AccountError('disabled', `${row.email} is disabled; ask an admin of ninja-sync to enable it again`);
  await db.updateTable('app_users').set({ last_login_at: now.toISOString() }).where('id', '=', row.id).execute();
  return appUserRowToAppUser({ ...row, last_login_at: now.toISOString() });
}

export async function getAppUser(db: AppDb, id: string): Promise<AppUser | null> {
  const row = await db.selectFrom('app_users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? appUserRowToAppUser(row) : null;
}

export async function listAppUsers(db: AppDb): Promise<AppUser[]> {
  const rows = await db.selectFrom('app_users').selectAll().orderBy('email').execute();
  return rows.map(appUserRowToAppUser);
}

/**
 * Gives a person another role. The last admin stays an admin, so someone can always manage people.
 *
 * @example await changeAppUserRole(db, id, 'viewer');
 */
export async function changeAppUserRole(db: AppDb, id: string, role: AppRole): Promise<AppUser> {
  return db.transaction().execute(async (trx) => {
    await lockAdmins(trx);
    const row = await trx.selectFrom('app_users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no person with id ${id}`);
    if (row.role === 'admin' && role !== 'admin' && row.disabled_at === null && (await enabledAdmins(trx)) <= 1)
      throw new AccountError('last_admin', `${row.email} is the only admin; make someone else an admin first`);
    await trx.updateTable('app_users').set({ role }).where('id', '=', id).execute();
    return appUserRowToAppUser({ ...row, role });
  });
}

async function enabledAdmins(db: AppDb): Promise<number> {
  const rows = await db.selectFrom('app_users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
  return rows.length;
}

/**
 * Disables a person (they cannot sign in, and their open sessions end at once) or enables them
 * again. The last enabled admin stays enabled, and nobody disables themselves, so someone can
 * always manage people.
 *
 * @example await setAppUserDisabled(db, id, true, adminId, now);
 */
export async function setAppUserDisabled(db: AppDb, id: string, disabled: boolean, actorId: string | null, now: Date): Promise<AppUser> {
  return db.transaction().execute(async (trx) => {
    await lockAdmins(trx);
    const row = await trx.selectFrom('app_users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no person with id ${id}`);
    if (!disabled) {
      await trx.updateTable('app_users').set({ disabled_at: null }).where('id', '=', id).execute();
      return appUserRowToAppUser({ ...row, disabled_at: null });
    }
    if (row.disabled_at !== null) return appUserRowToAppUser(row);
    if (id === actorId) throw new AccountError('self', 'you cannot disable yourself; ask another admin');
    if (row.role === 'admin' && (await enabledAdmins(trx)) <= 1)
      throw new AccountError('last_admin', `${row.email} is the only admin left; make someone else an admin first`);
    const at = now.toISOString();
    await trx.updateTable('app_users').set({ disabled_at: at }).where('id', '=', id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    return appUserRowToAppUser({ ...row, disabled_at: at });
  });
}

/**
 * Sets a new password for a person (an admin's reset) and signs them out everywhere: their open
 * sessions end, so the old password's sessions cannot outlive it.
 *
 * @example await resetAppUserPassword(db, id, 'a new long password');
 */
export async function resetAppUserPassword(db: AppDb, id: string, password: string): Promise<AppUser> {
  const problem = passwordProblem(password);
  if (problem) throw new AccountError('weak_password', `password: ${problem}`);
  const hash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('app_users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AccountError('not_found', `no person with id ${id}`);
    await trx.updateTable('app_users').set({ password_hash: hash }).where('id', '=', id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    return appUserRowToAppUser(row);
  });
}
