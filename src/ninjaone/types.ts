/**
 * NinjaOne API v2 shapes that ninja-sync reads, hand-written from the `User`, `Organization` and
 * `Device` schemas of the spec in `../shared/ninjaone/` (the spec is too loose to generate from).
 * Keys may be absent or null on a real tenant: technicians have `organizationId: null` and often no
 * `deviceIds`, so every property is optional here and the mapping treats absent and null alike.
 */
/** NinjaOne's user types (`userType` of a user, `roleType` of a role). */
export type NinjaOneUserType = 'TECHNICIAN' | 'END_USER';

export interface NinjaOneUser {
  readonly id: number;
  readonly uid?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly enabled?: boolean | null;
  readonly administrator?: boolean | null;
  readonly permitAllClients?: boolean | null;
  readonly notifyAllClients?: boolean | null;
  readonly mustChangePw?: boolean | null;
  readonly mfaConfigured?: boolean | null;
  readonly userType?: NinjaOneUserType | null;
  readonly invitationStatus?: 'REGISTERED' | 'PENDING' | 'EXPIRED' | null;
  readonly organizationId?: number | null;
  readonly deviceIds?: readonly number[] | null;
  readonly assignedDeviceIds?: readonly number[] | null;
  readonly roles?: readonly string[] | null;
}

export interface NinjaOneOrganization {
  readonly id: number;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly nodeApprovalMode?: string | null;
  readonly tags?: readonly string[] | null;
  readonly fields?: Readonly<Record<string, unknown>> | null;
}

export interface NinjaOneDevice {
  readonly id: number;
  readonly organizationId?: number | null;
  readonly locationId?: number | null;
  readonly nodeClass?: string | null;
  readonly displayName?: string | null;
  readonly systemName?: string | null;
  readonly offline?: boolean | null;
  readonly created?: number | null;
  readonly lastContact?: number | null;
}

/** A member of a user role, as `GET /v2/user/roles` lists it. */
export interface NinjaOneRoleMember {
  readonly id: number;
  readonly email?: string | null;
  readonly name?: string | null;
  /** How the user got the role (e.g. direct or through a group). */
  readonly source?: string | null;
}

/** A user role (`GET /v2/user/roles`); not a device role (`/v2/roles`). */
export interface NinjaOneUserRole {
  readonly id: number;
  readonly name?: string | null;
  /** TECHNICIAN or END_USER. */
  readonly type?: string | null;
  readonly description?: string | null;
  readonly members?: readonly NinjaOneRoleMember[] | null;
}
