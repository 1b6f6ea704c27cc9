/**
 * The emulators' data world: NinjaOne organisations, user roles, technicians and end users, and
 * devices, generated deterministically from a seed or loaded from a JSON file.
 *
 * The generated world carries the awkward cases real tenants have, always at the same places, so
 * tests can rely on them: a user with no email, the same email twice (once in another case), an
 * all-upper-case email, non-Latin names, names and emails with spaces around them, a disabled user,
 * PENDING and EXPIRED invitations, users without devices, an administrator technician and users
 * with several roles. `awkwardUserIds` names them.
 *
 * The world stores what the emulator needs to answer every endpoint; the wire shape (which keys
 * are omitted or null) is the emulator's job, not this module's.
 *
 * @example
 * const world = generateWorld({ seed: 7, users: 40 });
 * const same = loadWorld(JSON.stringify(world)); // validated; throws WorldValidationError naming the bad entry
 */
import { readFile } from 'node:fs/promises';

import { createRandom, type Random } from './random.ts';
import { deviceClasses, endUserRoles, firstNames, lastNames, nonLatinNames, organizationNames, technicianRoles } from './world-names.ts';
import { validateWorld } from './world-validate.ts';

export const userTypes = ['TECHNICIAN', 'END_USER'] as const;
export type UserType = (typeof userTypes)[number];
export const invitationStatuses = ['REGISTERED', 'PENDING', 'EXPIRED'] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];
export const approvalModes = ['AUTOMATIC', 'MANUAL', 'REJECT'] as const;

export interface WorldOrganization {
  id: number;
  name: string;
  description: string;
  nodeApprovalMode: (typeof approvalModes)[number];
}

export interface WorldRole {
  id: number;
  name: string;
  type: UserType;
  description: string;
}

export interface WorldUser {
  id: number;
  uid: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  enabled: boolean;
  administrator: boolean;
  permitAllClients: boolean;
  notifyAllClients: boolean;
  mustChangePw: boolean;
  mfaConfigured: boolean;
  userType: UserType;
  invitationStatus: InvitationStatus;
  /** The end user's organisation; null for technicians. */
  organizationId: number | null;
  /** Devices an end user may access (NinjaOne's `deviceIds`). Assigned devices come from `Device.assignedOwnerUid`. */
  deviceIds: number[];
  roleIds: number[];
}

export interface WorldDevice {
  id: number;
  uid: string;
  organizationId: number;
  locationId: number;
  nodeClass: string;
  displayName: string;
  systemName: string;
  dnsName: string;
  approvalStatus: 'PENDING' | 'STAGED' | 'APPROVED' | 'DECOMMISSIONED';
  offline: boolean;
  /** Epoch seconds with a fraction, as NinjaOne sends them. */
  created: number;
  lastContact: number;
  lastUpdate: number;
  /** The owning user's `uid`, or null. */
  assignedOwnerUid: string | null;
  nodeRoleId: number;
  policyId: number;
}

export interface NinjaOneWorld {
  organizations: WorldOrganization[];
  roles: WorldRole[];
  users: WorldUser[];
  devices: WorldDevice[];
}

export interface GenerateWorldOptions {
  seed?: number;
  /** Number of users (technicians and end users together). */
  users?: number;
}

/** Ids of the users that carry each awkward case in a generated world (empty when the world is too small). */
export interface AwkwardUserIds {
  noEmail: number[];
  duplicateEmail: number[];
  duplicateEmailOtherCase: number[];
  upperCaseEmail: number[];
  nonLatinName: number[];
  surroundingSpaces: number[];
  disabled: number[];
  pendingInvitation: number[];
  expiredInvitation: number[];
  noDevices: number[];
  severalRoles: number[];
  administrator: number[];
}

const epochBase = 1_700_000_000;

/** Builds the world for a seed; the same seed and size give the same world, ids included. */
export function generateWorld(options: GenerateWorldOptions = {}): NinjaOneWorld {
  const random = createRandom(options.seed ?? 1);
  const userCount = Math.max(0, Math.floor(options.users ?? 40));
  const organizations = makeOrganizations(random, Math.min(500, Math.max(2, Math.ceil(userCount / 20))));
  const roles = makeRoles();
  const techCount = Math.min(userCount, Math.max(Math.min(userCount, 2), Math.round(userCount / 10)));
  const emailsSeen = new Map<string, number>();
  const users: WorldUser[] = [];
  for (let i = 0; i < userCount; i++) users.push(makeUser(random, i + 1, i < techCount, organizations, roles, emailsSeen));
  const noDevices = applyAwkwardCases(users, techCount, roles);
  const devices = makeDevices(random, users, organizations, noDevices);
  return { organizations, roles, users, devices };
}

function makeOrganizations(random: Random, count: number): WorldOrganization[] {
  const organizations: WorldOrganization[] = [];
  for (let i = 0; i < count; i++) {
    const base = organizationNames[i % organizationNames.length]!;
    const round = Math.floor(i / organizationNames.length);
    organizations.push({
      id: i + 1,
      name: round === 0 ? base : `${base} ${round + 1}`,
      description: `Managed client ${i + 1}`,
      nodeApprovalMode: random.chance(0.8) ? 'AUTOMATIC' : 'MANUAL',
    });
  }
  return organizations;
}

function makeRoles(): WorldRole[] {
  const roles: WorldRole[] = [];
  for (const name of technicianRoles) roles.push({ id: roles.length + 1, name, type: 'TECHNICIAN', description: `${name} technicians` });
  for (const name of endUserRoles) roles.push({ id: roles.length + 1, name, type: 'END_USER', description: `${name} role for end users` });
  return roles;
}

/** A deterministic UUID (version 4 layout) drawn from the seeded random source. */
export function seededUuid(random: Random): string {
  let hex = '';
  for (let i = 0; i < 4; i++)
    hex += Math.floor(random.next() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function domainOf(name: string): string {
  return `${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}.example`;
}

function makeUser(
  random: Random,
  id: number,
  technician: boolean,
  organizations: WorldOrganization[],
  roles: WorldRole[],
  emailsSeen: Map<string, number>,
): WorldUser {
  const firstName = random.pick(firstNames);
  const lastName = random.pick(lastNames);
  const organization = technician ? null : random.pick(organizations);
  const domain = organization ? domainOf(organization.name) : 'msp-helpdesk.example';
  const local = `${firstName}.${lastName}`.toLowerCase();
  // Unique by default; the duplicates are placed on purpose by applyAwkwardCases.
  const seen = emailsSeen.get(`${local}@${domain}`) ?? 0;
  emailsSeen.set(`${local}@${domain}`, seen + 1);
  const email = `${local}${seen === 0 ? '' : seen + 1}@${domain}`;
  const rolePool = roles.filter((role) => role.type === (technician ? 'TECHNICIAN' : 'END_USER'));
  const roleIds = rolePool.length > 0 && random.chance(0.85) ? [random.pick(rolePool).id] : [];
  return {
    id,
    uid: seededUuid(random),
    firstName,
    lastName,
    email,
    phone: random.chance(0.75)
      ? `+1 555 ${String(random.int(100, 999))} ${String(random.int(1000, 9999))}`
      : random.chance(0.5)
        ? ''
        : null,
    enabled: true,
    administrator: false,
    permitAllClients: technician && random.chance(0.5),
    notifyAllClients: technician && random.chance(0.3),
    mustChangePw: random.chance(0.05),
    mfaConfigured: random.chance(technician ? 0.9 : 0.4),
    userType: technician ? 'TECHNICIAN' : 'END_USER',
    invitationStatus: 'REGISTERED',
    organizationId: organization?.id ?? null,
    deviceIds: [],
    roleIds,
  };
}

/**
 * Puts each awkward case on a fixed user, so every world of a given size has them at the same ids.
 * Returns the ids of users who must get no devices.
 */
function applyAwkwardCases(users: WorldUser[], techCount: number, roles: WorldRole[]): Set<number> {
  const technicians = users.slice(0, techCount);
  const endUsers = users.slice(techCount);
  const admin = technicians[0];
  if (admin) Object.assign(admin, { administrator: true, permitAllClients: true, notifyAllClients: true, mfaConfigured: true });
  const techRoleIds = roles.filter((role) => role.type === 'TECHNICIAN').map((role) => role.id);
  const endRoleIds = roles.filter((role) => role.type === 'END_USER').map((role) => role.id);
  const severalRolesTech = technicians[1];
  if (severalRolesTech) severalRolesTech.roleIds = techRoleIds.slice(0, 3);

  const at = (index: number): WorldUser | undefined => endUsers[index];
  const noDevices = new Set<number>();
  const set = (index: number, patch: Partial<WorldUser>): void => {
    const user = at(index);
    if (user) Object.assign(user, patch);
  };
  set(0, { email: null });
  const original = at(1);
  if (original?.email) {
    set(2, { email: original.email });
    const [local = '', domain = ''] = original.email.split('@');
    set(3, { email: `${local.charAt(0).toUpperCase()}${local.slice(1)}@${domain.toUpperCase()}` });
  }
  const upper = at(4);
  if (upper?.email) upper.email = upper.email.toUpperCase();
  nonLatinNames.slice(0, 4).forEach(([first, last, emailLocal], k) => {
    const user = at(5 + k);
    if (user?.email) Object.assign(user, { firstName: first, lastName: last, email: `${emailLocal}@${user.email.split('@')[1] ?? ''}` });
  });
  const spaced = at(9);
  if (spaced)
    Object.assign(spaced, {
      firstName: `  ${spaced.firstName ?? ''}`,
      lastName: `${spaced.lastName ?? ''} `,
      email: spaced.email ? ` ${spaced.email} ` : null,
    });
  set(10, { enabled: false });
  set(11, { invitationStatus: 'PENDING', mfaConfigured: false });
  set(12, { invitationStatus: 'EXPIRED', mfaConfigured: false, enabled: false });
  const bare = at(13);
  if (bare) noDevices.add(bare.id);
  set(14, { roleIds: endRoleIds.slice(0, 2) });
  return noDevices;
}

function makeDevices(random: Random, users: WorldUser[], organizations: WorldOrganization[], noDevices: Set<number>): WorldDevice[] {
  const devices: WorldDevice[] = [];
  const add = (organizationId: number, owner: WorldUser | null, nodeClass: string): WorldDevice => {
    const id = devices.length + 1;
    const prefix = nodeClass === 'WINDOWS_SERVER' ? 'SRV' : nodeClass === 'MAC' ? 'MAC' : 'WS';
    const systemName = `${prefix}-${String(organizationId).padStart(3, '0')}-${String(id).padStart(5, '0')}`;
    const created = epochBase + random.int(0, 40_000_000) + random.int(0, 999_999) / 1_000_000;
    const lastContact = created + random.int(3600, 5_000_000) + random.int(0, 999) / 1000;
    const device: WorldDevice = {
      id,
      uid: seededUuid(random),
      organizationId,
      locationId: organizationId,
      nodeClass,
      displayName: owner ? `${owner.firstName?.trim() ?? 'Unnamed'}'s ${prefix === 'MAC' ? 'Mac' : 'PC'}` : systemName,
      systemName,
      dnsName: `${systemName.toLowerCase()}.corp.local`,
      approvalStatus: 'APPROVED',
      offline: random.chance(0.2),
      created,
      lastContact,
      lastUpdate: lastContact + random.int(0, 600),
      assignedOwnerUid: owner?.uid ?? null,
      nodeRoleId: nodeClass === 'WINDOWS_SERVER' ? 2 : 1,
      policyId: nodeClass === 'WINDOWS_SERVER' ? 2 : 1,
    };
    devices.push(device);
    return device;
  };
  for (const user of users) {
    if (user.userType !== 'END_USER' || user.organizationId === null || noDevices.has(user.id)) continue;
    const count = random.pick([0, 1, 1, 1, 2, 2, 3] as const);
    for (let k = 0; k < count; k++) {
      const device = add(
        user.organizationId,
        k === 0 || random.chance(0.5) ? user : null,
        random.pick(deviceClasses.filter((c) => c !== 'WINDOWS_SERVER')),
      );
      user.deviceIds.push(device.id);
    }
  }
  // Every organisation also has a server nobody owns.
  for (const organization of organizations) add(organization.id, null, 'WINDOWS_SERVER');
  return devices;
}

/** Where each awkward case sits in a world built by `generateWorld` (found by looking, so it also works after edits). */
export function awkwardUserIds(world: NinjaOneWorld): AwkwardUserIds {
  const owned = new Set(world.devices.map((device) => device.assignedOwnerUid));
  const byEmail = new Map<string, WorldUser[]>();
  for (const user of world.users) {
    if (!user.email) continue;
    const key = user.email.trim().toLowerCase();
    const group = byEmail.get(key);
    if (group) group.push(user);
    else byEmail.set(key, [user]);
  }
  const ids = (predicate: (user: WorldUser) => boolean): number[] => world.users.filter(predicate).map((user) => user.id);
  const duplicated = [...byEmail.values()].filter((group) => group.length > 1);
  return {
    noEmail: ids((user) => !user.email),
    duplicateEmail: duplicated.flatMap((group) =>
      group.filter((user) => group.some((other) => other !== user && other.email === user.email)).map((user) => user.id),
    ),
    duplicateEmailOtherCase: duplicated.flatMap((group) =>
      group.filter((user) => group.some((other) => other.email !== user.email)).map((user) => user.id),
    ),
    upperCaseEmail: ids((user) => !!user.email && user.email === user.email.toUpperCase()),
    nonLatinName: ids((user) => /[^\p{ASCII}]/u.test(`${user.firstName ?? ''}${user.lastName ?? ''}`)),
    surroundingSpaces: ids((user) => [user.firstName, user.lastName, user.email].some((value) => value !== null && value !== value.trim())),
    disabled: ids((user) => !user.enabled),
    pendingInvitation: ids((user) => user.invitationStatus === 'PENDING'),
    expiredInvitation: ids((user) => user.invitationStatus === 'EXPIRED'),
    noDevices: ids((user) => user.deviceIds.length === 0 && !owned.has(user.uid)),
    severalRoles: ids((user) => user.roleIds.length > 1),
    administrator: ids((user) => user.administrator),
  };
}

/** Validates a world given as JSON text or an already parsed value. Throws WorldValidationError naming the bad entry. */
export function loadWorld(json: unknown): NinjaOneWorld {
  return validateWorld(json);
}

/** Reads and validates a world JSON file. */
export async function loadWorldFile(path: string): Promise<NinjaOneWorld> {
  return validateWorld(await readFile(path, 'utf8'), path);
}

export { WorldValidationError } from './world-validate.ts';
