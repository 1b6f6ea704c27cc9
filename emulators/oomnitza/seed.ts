/**
 * Deterministic starting data: `count` Oomnitza users unrelated to NinjaOne (same seed, same users),
 * with the awkward cases real tenants have — no email, upper-case email, non-Latin names, suspended
 * users, no phone — and two SaaS applications (not NinjaOne) with a few SaaS users and roles.
 *
 * @example
 * seedStore(store, { seed: 1, users: 10, seedUsers: [{ username: 'ada', email: 'ada@example.com' }] });
 */
import { createRandom } from '../common/random.ts';
import { addRole } from './saas-roles-store.ts';
import { addSaasUser, createSaas } from './saas-store.ts';
import { createUser } from './users-store.ts';

import type { OomnitzaStore } from './store.ts';

export interface SeedOptions {
  readonly seed: number;
  readonly users: number;
  /** Users inserted first, exactly as given (v3 field names; read-only fields allowed). */
  readonly seedUsers?: ReadonlyArray<Record<string, unknown>>;
}

const firstNames = [
  'Ada',
  'Grace',
  'Linus',
  'Margaret',
  'Alan',
  'Barbara',
  'Ken',
  'Frances',
  'Dennis',
  'Radia',
  'Chloé',
  'Jürgen',
  'Søren',
];
const lastNames = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Turing',
  'Liskov',
  'Thompson',
  'Allen',
  'Ritchie',
  'Perlman',
  "O'Neil",
  'Müller',
];
// Names in other scripts, to catch encoding and collation bugs.
const nonLatin = [
  { first_name: '明', last_name: '王' },
  { first_name: 'Дмитрий', last_name: 'Иванов' },
  { first_name: 'سارة', last_name: 'حداد' },
  { first_name: 'Ελένη', last_name: 'Παπαδοπούλου' },
];
const positions = ['Employee', 'Contractor', 'Manager', 'Engineer', 'Accountant', 'Designer'];
const seedActor = 'oomnitza-seed';

export function seedStore(store: OomnitzaStore, options: SeedOptions): void {
  const saved = store.now;
  // A fixed clock while seeding, so creation dates are the same on every run: 2024-01-01T00:00:00Z.
  let clock = 1_704_067_200;
  store.now = () => clock;
  try {
    for (const given of options.seedUsers ?? []) createUser(store, given, seedActor, { allowReadOnly: true });
    const random = createRandom(options.seed);
    for (let i = 0; i < options.users; i++) {
      clock += 3600;
      createUser(store, generatedUser(i, random), seedActor);
    }
    seedSaas(store);
  } finally {
    store.now = saved;
  }
}

function generatedUser(i: number, random: ReturnType<typeof createRandom>): Record<string, unknown> {
  const name = i % 7 === 3 ? random.pick(nonLatin) : { first_name: random.pick(firstNames), last_name: random.pick(lastNames) };
  const handle = `user${String(i + 1).padStart(4, '0')}`;
  const user: Record<string, unknown> = { username: `${handle}@corp.example`, ...name, position: random.pick(positions) };
  // Every fifth user has no email; every sixth an upper-case one; every ninth is suspended.
  if (i % 5 !== 4) user.email = i % 6 === 5 ? `${handle.toUpperCase()}@CORP.EXAMPLE` : `${handle}@corp.example`;
  if (i % 9 === 8) user.suspended = true;
  if (random.chance(0.6)) user.phone_number = `+1 555 ${String(random.int(1000000, 9999999))}`;
  return user;
}

function seedSaas(store: OomnitzaStore): void {
  const slack = createSaas(
    store,
    { saas_name: 'Slack', category: 'Communication', publisher: 'Slack Technologies', url: 'https://slack.com', total_licenses: 50 },
    seedActor,
    true,
  );
  createSaas(
    store,
    { saas_name: 'Zoom', category: 'Communication', publisher: 'Zoom Video Communications', url: 'https://zoom.us' },
    seedActor,
    true,
  );
  const member = addRole(store, slack.saas_id, 'member', 'Member');
  const admin = addRole(store, slack.saas_id, 'admin', 'Workspace Admin');
  let n = 0;
  for (const user of store.users.values()) {
    if (user.suspended === true || n >= 3) continue;
    addSaasUser(store, slack.saas_id, user.uid, { role_ids: [n === 0 ? admin.role_id : member.role_id] });
    n++;
  }
}
