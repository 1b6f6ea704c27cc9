/**
 * Opaque bearer secrets: API tokens and session ids. Only a SHA-256 of each is stored, so a copy of
 * the database does not let anyone in; the token itself is shown once. A high-entropy random token
 * needs no slow hash, unlike a password.
 *
 * @example
 * const { token, hash, hint } = newSecretToken('nsk');   // show `token` once; store `hash` and `hint`
 * hashSecretToken(token) === hash;                         // on each request
 */
import { createHash, randomBytes } from 'node:crypto';

export interface NewSecretToken {
  readonly token: string;
  readonly hash: string;
  /** The last four characters, to tell tokens apart in a list. */
  readonly hint: string;
}

export function newSecretToken(prefix: string): NewSecretToken {
  const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSecretToken(token), hint: token.slice(-4) };
}

export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}
