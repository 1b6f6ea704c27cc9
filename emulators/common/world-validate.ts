/**
 * Validation of an emulator world read from JSON: the shape of every entry (zod), then the links
 * between entries (unique ids, organisations, roles, devices and owners that exist). Errors name
 * the entry (`users[3] (id 4)`) and the field, so a hand-edited file is quick to fix.
 */
import { z } from 'zod';

import type { NinjaOneWorld } from './world.ts';

/** A world file or admin request that does not describe a valid world. */
export class WorldValidationError extends Error {
  override readonly name = 'WorldValidationError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID like 0f8fad5b-d9cb-469f-a165-70867728950e');
const id = z.number().int().min(1).max(2_147_483_647);

export const organizationSchema = z
  .object({
    id,
    name: z.string(),
    description: z.string(),
    nodeApprovalMode: z.enum(['AUTOMATIC', 'MANUAL', 'REJECT']),
  })
  .strict();

export const roleSchema = z
  .object({
    id,
    name: z.string(),
    type: z.enum(['TECHNICIAN', 'END_USER']),
    description: z.string(),
  })
  .strict();

export const userSchema = z
  .object({
    id,
    uid: uuid,
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    enabled: z.boolean(),
    administrator: z.boolean(),
    permitAllClients: z.boolean(),
    notifyAllClients: z.boolean(),
    mustChangePw: z.boolean(),
    mfaConfigured: z.boolean(),
    userType: z.enum(['TECHNICIAN', 'END_USER']),
    invitationStatus: z.enum(['REGISTERED', 'PENDING', 'EXPIRED']),
    organizationId: id.nullable(),
    deviceIds: z.array(id),
    roleIds: z.array(id),
  })
  .strict();

export const deviceSchema = z
  .object({
    id,
    uid: uuid,
    organizationId: id,
    locationId: id,
    nodeClass: z.string(),
    displayName: z.string(),
    systemName: z.string(),
    dnsName: z.string(),
    approvalStatus: z.enum(['PENDING', 'STAGED', 'APPROVED', 'DECOMMISSIONED']),
    offline: z.boolean(),
    created: z.number(),
    lastContact: z.number(),
    lastUpdate: z.number(),
    assignedOwnerUid: uuid.nullable(),
    nodeRoleId: id,
    policyId: id,
  })
  .strict();

const worldSchema = z
  .object({
    organizations: z.array(organizationSchema),
    roles: z.array(roleSchema),
    users: z.array(userSchema),
    devices: z.array(deviceSchema),
  })
  .strict();

/** Parses and checks a world; `source` (a file path) only makes messages clearer. */
export function validateWorld(input: unknown, source = 'world'): NinjaOneWorld {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new WorldValidationError(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const parsed = worldSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new WorldValidationError(`${source}: ${describePath(value, issue.path)}: ${issue.message}`, { cause: parsed.error });
  }
  const world: NinjaOneWorld = parsed.data;
  checkLinks(world, source);
  return world;
}

function describePath(value: unknown, path: readonly PropertyKey[]): string {
  const [collection, index, ...rest] = path;
  if (typeof collection !== 'string') return 'the top level';
  if (typeof index !== 'number') return [collection, ...rest].map(String).join('.');
  const entry = (value as Record<string, unknown[]>)[collection]?.[index] as { id?: unknown } | undefined;
  const entryId = typeof entry?.id === 'number' ? ` (id ${entry.id})` : '';
  return `${collection}[${index}]${entryId}${rest.length > 0 ? `.${rest.map(String).join('.')}` : ''}`;
}

/** Checks the links between entries; the messages say what to add or fix. */
function checkLinks(world: NinjaOneWorld, source: string): void {
  const fail = (message: string): never => {
    throw new WorldValidationError(`${source}: ${message}`);
  };
  const uniqueIds = (name: keyof NinjaOneWorld): Set<number> => {
    const seen = new Set<number>();
    world[name].forEach((entry, index) => {
      if (seen.has(entry.id)) fail(`${name}[${index}] repeats id ${entry.id}; ids must be unique`);
      seen.add(entry.id);
    });
    return seen;
  };
  const organizationIds = uniqueIds('organizations');
  const roles = new Map(world.roles.map((role) => [role.id, role]));
  uniqueIds('roles');
  uniqueIds('users');
  const deviceIds = uniqueIds('devices');
  const uids = new Set<string>();
  world.users.forEach((user, index) => {
    const where = `users[${index}] (id ${user.id})`;
    if (uids.has(user.uid.toLowerCase())) fail(`${where} repeats uid ${user.uid}; uids must be unique`);
    uids.add(user.uid.toLowerCase());
    if (user.userType === 'END_USER' && user.organizationId === null) fail(`${where}: an END_USER needs an organizationId`);
    if (user.userType === 'TECHNICIAN' && user.organizationId !== null)
      fail(`${where}: a TECHNICIAN has organizationId null, not ${user.organizationId}`);
    if (user.organizationId !== null && !organizationIds.has(user.organizationId))
      fail(`${where}: organizationId ${user.organizationId} is not an organization id; add the organization or fix the id`);
    for (const roleId of user.roleIds) {
      const role = roles.get(roleId);
      if (!role) fail(`${where}: roleIds has ${roleId}, which is not a role id; add the role or remove the id`);
      else if (role.type !== user.userType)
        fail(`${where}: role ${roleId} (${role.name}) is a ${role.type} role, but the user is a ${user.userType}`);
    }
    for (const deviceId of user.deviceIds)
      if (!deviceIds.has(deviceId)) fail(`${where}: deviceIds has ${deviceId}, which is not a device id`);
  });
  world.devices.forEach((device, index) => {
    const where = `devices[${index}] (id ${device.id})`;
    if (!organizationIds.has(device.organizationId)) fail(`${where}: organizationId ${device.organizationId} is not an organization id`);
    if (device.assignedOwnerUid !== null && !uids.has(device.assignedOwnerUid.toLowerCase()))
      fail(`${where}: assignedOwnerUid ${device.assignedOwnerUid} is not the uid of a user`);
  });
}
