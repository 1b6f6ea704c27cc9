/**
 * The destination's users, indexed by each sync key's matching text, so that matching a record is a
 * few map look-ups however large the destination is. A key value held by several destination users
 * keeps all of them: the planner must see the duplicate to refuse to guess.
 *
 * @example
 * const index = buildDestinationIndex(users, ['email', 'employee_id']);
 * index.lookup('email', 'Ann@Acme.com'); // every user whose email is ann@acme.com, any case
 */
import { keyText } from './values.ts';

import type { DestinationUser } from './ports.ts';

export interface DestinationIndex {
  readonly syncKeys: readonly string[];
  /** How many distinct users the index holds (a subset of the destination when loaded by key). */
  readonly size: number;
  /** The users whose `key` matches `value`; empty when none or when the value is empty. */
  lookup(key: string, value: unknown): readonly DestinationUser[];
  /** The same, for a value already turned into its matching text by `keyText`. */
  lookupText(key: string, text: string | null): readonly DestinationUser[];
  /**
   * The planner's allocation-free form: the one user holding the text, an array of two or more
   * when it is a duplicate, undefined when nobody holds it.
   */
  holders(key: string, text: string | null): DestinationUser | readonly DestinationUser[] | undefined;
  /** Every indexed user, by id. */
  byId(id: string): DestinationUser | undefined;
}

const none: readonly DestinationUser[] = Object.freeze([]);

/** Whether `holders` answered several users (a duplicate key value) rather than one. */
export function isDuplicate(found: DestinationUser | readonly DestinationUser[]): found is readonly DestinationUser[] {
  return Array.isArray(found);
}

/**
 * Indexes `users` by each of `syncKeys`. A user seen twice (same id, e.g. from two look-ups) is
 * indexed once; a user with an empty key value is not findable by that key.
 */
export function buildDestinationIndex(users: Iterable<DestinationUser>, syncKeys: readonly string[]): DestinationIndex {
  const ids = new Map<string, DestinationUser>();
  // A value held by one user (the usual case) maps to the user itself: no array per entry.
  const byKey = new Map<string, Map<string, DestinationUser | DestinationUser[]>>(syncKeys.map((key) => [key, new Map()]));
  for (const user of users) {
    if (ids.has(user.id)) continue;
    ids.set(user.id, user);
    for (const [key, values] of byKey) {
      const text = keyText(user.fields[key]);
      if (text === null) continue;
      const holders = values.get(text);
      if (holders === undefined) values.set(text, user);
      else if (Array.isArray(holders)) holders.push(user);
      else values.set(text, [holders, user]);
    }
  }
  function holders(key: string, text: string | null): DestinationUser | readonly DestinationUser[] | undefined {
    return text === null ? undefined : byKey.get(key)?.get(text);
  }
  function lookupText(key: string, text: string | null): readonly DestinationUser[] {
    const found = holders(key, text);
    if (found === undefined) return none;
    return isDuplicate(found) ? found : [found];
  }
  return {
    syncKeys,
    size: ids.size,
    lookup: (key, value) => lookupText(key, keyText(value)),
    lookupText,
    holders,
    byId: (id) => ids.get(id),
  };
}
