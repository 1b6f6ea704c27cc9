/**
 * The field catalogue: the 19 NinjaOne user fields a mapping can read, with the labels of the
 * NinjaOne → Oomnitza integration doc and their types (see `../shared/reference/ninjaone-api.md` §4.6).
 *
 * The key is the camelCase name the mapping uses (the JSON key of `GET /v2/users`, and
 * `connectorSyncTime`, which is not an API field: ninja-sync stamps it with the run's start).
 * The order is the doc's (alphabetical by label), so screens list the fields as the doc does.
 *
 * @example
 * catalogue.find((f) => f.key === 'roles')?.label; // 'Roles List'
 */

export const fieldTypes = ['string', 'integer', 'boolean', 'string[]', 'integer[]', 'datetime', 'enum'] as const;
export type FieldType = (typeof fieldTypes)[number];

export interface CatalogueField {
  /** The camelCase source key, e.g. firstName, roles, deviceIds, connectorSyncTime. */
  readonly key: string;
  /** The NinjaOne doc's label, e.g. 'First Name', 'Roles List', 'Connector Sync Time'. */
  readonly label: string;
  readonly type: FieldType;
  readonly description: string;
  /** The allowed values of an `enum` field. */
  readonly values?: readonly string[];
}

/** The 19 fields, in the doc's order. */
export const catalogue: readonly CatalogueField[] = Object.freeze([
  {
    key: 'administrator',
    label: 'Administrator',
    type: 'boolean',
    description: 'The technician is a system administrator; false or empty for end users.',
  },
  {
    key: 'assignedDeviceIds',
    label: 'Assigned Device Ids List',
    type: 'integer[]',
    description: 'Ids of the devices the user is assigned to; empty when NinjaOne omits it.',
  },
  {
    key: 'connectorSyncTime',
    label: 'Connector Sync Time',
    type: 'datetime',
    description: 'When this run started (ISO 8601, UTC); the same for every record of a run. Stamped by ninja-sync, not NinjaOne.',
  },
  {
    key: 'deviceIds',
    label: 'Device Ids List',
    type: 'integer[]',
    description: 'Ids of the devices an end user may access; empty for most technicians.',
  },
  { key: 'email', label: 'Email', type: 'string', description: 'The email address the user signs in with.' },
  { key: 'enabled', label: 'Enabled', type: 'boolean', description: 'The user may sign in.' },
  { key: 'firstName', label: 'First Name', type: 'string', description: 'Given name.' },
  { key: 'id', label: 'Id', type: 'integer', description: 'NinjaOne user id (a number, unique per tenant).' },
  {
    key: 'invitationStatus',
    label: 'Invitation Status',
    type: 'enum',
    values: ['REGISTERED', 'PENDING', 'EXPIRED'],
    description: 'Whether the user accepted the invitation.',
  },
  { key: 'lastName', label: 'Last Name', type: 'string', description: 'Family name.' },
  { key: 'mfaConfigured', label: 'Mfa Configured', type: 'boolean', description: 'At least one MFA method is configured.' },
  { key: 'mustChangePw', label: 'Must Change Pw', type: 'boolean', description: 'The user must change the password at the next sign-in.' },
  {
    key: 'notifyAllClients',
    label: 'Notify All Clients',
    type: 'boolean',
    description: 'The technician gets notifications for all organisations.',
  },
  {
    key: 'organizationId',
    label: 'Organization Id',
    type: 'integer',
    description: "The end user's organisation id; empty for technicians. $organization(organizationId).name gives its name.",
  },
  { key: 'permitAllClients', label: 'Permit All Clients', type: 'boolean', description: 'The technician may access all organisations.' },
  { key: 'phone', label: 'Phone', type: 'string', description: 'Phone number, as typed in NinjaOne; often empty.' },
  { key: 'roles', label: 'Roles List', type: 'string[]', description: 'Names of the roles assigned to the user.' },
  { key: 'uid', label: 'Uid', type: 'string', description: 'NinjaOne user UUID: stable, a good sync key.' },
  { key: 'userType', label: 'User Type', type: 'enum', values: ['TECHNICIAN', 'END_USER'], description: 'TECHNICIAN or END_USER.' },
] satisfies CatalogueField[]);

/** The catalogue by key, for lookups during validation and compilation. */
export const catalogueByKey: ReadonlyMap<string, CatalogueField> = new Map(catalogue.map((field) => [field.key, field]));
