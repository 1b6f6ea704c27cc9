/**
 * The custom users fields an emulated tenant has unless told otherwise: one of every type the data
 * model knows (text, integer, number, boolean, date, datetime, dropdown), named as an Oomnitza admin
 * preparing for a NinjaOne sync might name them, so that tests, the demo and the bench map onto
 * typed custom fields and not only onto the system text fields.
 *
 * @example
 * const oomnitza = await startOomnitzaEmulator(); // has ninja_uid, ninja_user_type, start_date, …
 * const bare = await startOomnitzaEmulator({ customFields: [] }); // system fields only
 */
import type { FieldDefinition } from './fields.ts';

export const defaultCustomFields: readonly FieldDefinition[] = Object.freeze([
  { externalId: 'ninja_uid', label: 'NinjaOne UID', dataType: 'string', unique: true },
  { externalId: 'ninja_id', label: 'NinjaOne ID', dataType: 'integer' },
  { externalId: 'ninja_organization_id', label: 'NinjaOne Organization', dataType: 'number' },
  { externalId: 'ninja_user_type', label: 'NinjaOne User Type', dataType: 'dropdown', options: ['TECHNICIAN', 'END_USER'] },
  {
    externalId: 'ninja_invitation_status',
    label: 'NinjaOne Invitation Status',
    dataType: 'dropdown',
    options: ['REGISTERED', 'PENDING', 'EXPIRED'],
  },
  { externalId: 'ninja_roles', label: 'NinjaOne Roles', dataType: 'string', length: 1024 },
  { externalId: 'ninja_administrator', label: 'NinjaOne Administrator', dataType: 'boolean' },
  { externalId: 'ninja_enabled', label: 'NinjaOne Enabled', dataType: 'boolean' },
  { externalId: 'ninja_last_sync', label: 'NinjaOne Last Sync', dataType: 'datetime' },
  { externalId: 'start_date', label: 'Start Date', dataType: 'date' },
  {
    externalId: 'department',
    label: 'Department',
    dataType: 'dropdown',
    options: ['IT', 'Finance', 'Sales', 'Engineering', 'Operations'],
  },
] satisfies FieldDefinition[]);
