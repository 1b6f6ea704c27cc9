/**
 * World entries in NinjaOne's wire shape (reference §4.1, §4.4, §5): keys in spec order, and the
 * omissions and nulls a real tenant shows. Technicians get `organizationId: null` and no
 * `deviceIds`; `assignedDeviceIds` appears for technicians only when they own a device (the
 * observed technician record had neither); `roles` only with `includeRoles=true`; a missing
 * email, name or phone is an absent key.
 *
 * @example
 * const view = worldView(world);
 * world.users.map((user) => apiUser(view, user, true));
 */
import type { NinjaOneWorld, WorldDevice, WorldOrganization, WorldUser } from '../common/world.ts';

/** Lookups built once per request, so that serialising 10,000 users stays linear. */
export interface WorldView {
  readonly assignedByUid: Map<string, number[]>;
  readonly roleNames: Map<number, string>;
}

export function worldView(world: NinjaOneWorld): WorldView {
  const assignedByUid = new Map<string, number[]>();
  for (const device of world.devices) {
    if (device.assignedOwnerUid === null) continue;
    const list = assignedByUid.get(device.assignedOwnerUid);
    if (list) list.push(device.id);
    else assignedByUid.set(device.assignedOwnerUid, [device.id]);
  }
  return { assignedByUid, roleNames: new Map(world.roles.map((role) => [role.id, role.name])) };
}

export function apiUser(view: WorldView, user: WorldUser, includeRoles: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: user.id, uid: user.uid };
  if (user.firstName !== null) out.firstName = user.firstName;
  if (user.lastName !== null) out.lastName = user.lastName;
  if (user.email !== null) out.email = user.email;
  if (user.phone !== null) out.phone = user.phone;
  out.enabled = user.enabled;
  out.administrator = user.administrator;
  out.permitAllClients = user.permitAllClients;
  out.notifyAllClients = user.notifyAllClients;
  out.mustChangePw = user.mustChangePw;
  out.mfaConfigured = user.mfaConfigured;
  out.userType = user.userType;
  out.invitationStatus = user.invitationStatus;
  out.organizationId = user.userType === 'TECHNICIAN' ? null : user.organizationId;
  const assigned = view.assignedByUid.get(user.uid) ?? [];
  if (user.userType === 'END_USER') {
    out.deviceIds = [...user.deviceIds];
    out.assignedDeviceIds = [...assigned];
  } else if (assigned.length > 0) {
    out.assignedDeviceIds = [...assigned];
  }
  if (includeRoles) out.roles = user.roleIds.map((id) => view.roleNames.get(id)).filter((name) => name !== undefined);
  return out;
}

export function apiOrganization(organization: WorldOrganization): Record<string, unknown> {
  return {
    name: organization.name,
    description: organization.description,
    nodeApprovalMode: organization.nodeApprovalMode,
    id: organization.id,
  };
}

export function apiLocation(organization: WorldOrganization): Record<string, unknown> {
  return {
    name: 'Main office',
    address: `${organization.id} Main Street`,
    description: `${organization.name} main office`,
    id: organization.id,
    organizationId: organization.id,
  };
}

export function apiDevice(device: WorldDevice): Record<string, unknown> {
  const out: Record<string, unknown> = { id: device.id, uid: device.uid };
  if (device.assignedOwnerUid !== null) out.assignedOwnerUid = device.assignedOwnerUid;
  Object.assign(out, {
    organizationId: device.organizationId,
    locationId: device.locationId,
    nodeClass: device.nodeClass,
    nodeRoleId: device.nodeRoleId,
    rolePolicyId: device.nodeRoleId,
    policyId: device.policyId,
    approvalStatus: device.approvalStatus,
    offline: device.offline,
    displayName: device.displayName,
    systemName: device.systemName,
    dnsName: device.dnsName,
    netbiosName: device.systemName.toUpperCase().slice(0, 15),
    created: device.created,
    lastContact: device.lastContact,
    lastUpdate: device.lastUpdate,
  });
  return out;
}
