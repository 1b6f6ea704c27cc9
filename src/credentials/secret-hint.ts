/**
 * The hint of a stored secret the API may show: its last four characters, and only when that
 * gives little away. A short secret (8 characters or fewer) gets no hint at all: the last four of
 * a four-character secret would be the secret itself.
 *
 * @example
 * secretHint('a-long-client-secret-f3a9');   // 'f3a9'
 * secretHint('abcd');                        // ''
 */
export function secretHint(secret: string): string {
  return secret.length > 8 ? secret.slice(-4) : '';
}
