/**
 * The data model of Oomnitza users: the v3 fields of the spec's `User` schema (reference §2.3), plus
 * custom fields by external id, and how a written value is checked and stored.
 *
 * Dates are stored as integer epoch seconds and accepted as unix seconds or ISO 8601; the spec says
 * "Timezones in ISO8601 format will be ignored", so `10:00+02:00` is stored as 10:00 UTC, as there.
 *
 * @example
 * const registry = createFieldRegistry([{ externalId: 'ninja_uid', label: 'NinjaOne UID', dataType: 'string', unique: true }]);
 * coerceFieldValue(registry.get('creation_date')!, '2024-01-02T03:04:05Z'); // 1704164645
 */
import { display, fieldError } from './errors.ts';
import { opaqueId } from './ids.ts';

export const fieldDataTypes = ['string', 'email', 'integer', 'number', 'boolean', 'date', 'datetime', 'dropdown'] as const;
export type FieldDataType = (typeof fieldDataTypes)[number];

export interface FieldDefinition {
  /** The name in the v3 API: lower case letters, digits and underscores. */
  readonly externalId: string;
  readonly label: string;
  readonly dataType: FieldDataType;
  /** Values stay unique across users (text compared case-insensitively). Needed for a sync key. */
  readonly unique?: boolean;
  /** Set by the server only; a write of it is refused. */
  readonly readOnly?: boolean;
  /** Must have a value on create. */
  readonly required?: boolean;
  /** The values a dropdown field takes. */
  readonly options?: readonly string[];
  /** Longest text accepted; 255 when absent. [INFERRED: the spec's metadata has `length`, no value] */
  readonly length?: number;
  /** Oomnitza's internal field id: readable for system fields (USER, EMAIL), 32 hex digits for custom ones. */
  readonly internalId?: string;
  /** True for the fields of the spec's User schema. */
  readonly system?: boolean;
}

const sys = (
  externalId: string,
  label: string,
  dataType: FieldDataType,
  internalId: string,
  extra: Partial<FieldDefinition> = {},
): FieldDefinition => ({
  externalId,
  label,
  dataType,
  internalId,
  system: true,
  ...extra,
});

/**
 * The spec's User fields. Which are read-only, required and unique is not in the spec; this is our
 * reading of Oomnitza's UI and connector (username is the USER sync key, email is unique). [INFERRED]
 */
export const systemUserFields: readonly FieldDefinition[] = [
  sys('uid', 'UID', 'integer', 'UID', { readOnly: true, unique: true }),
  sys('user_id', 'User ID', 'string', 'USER_ID', { readOnly: true, unique: true }),
  sys('username', 'Username', 'string', 'USER', { unique: true, required: true }),
  sys('full_name', 'Full Name', 'string', 'FULL_NAME'),
  sys('first_name', 'First Name', 'string', 'FIRST_NAME'),
  sys('last_name', 'Last Name', 'string', 'LAST_NAME'),
  sys('email', 'Email', 'email', 'EMAIL', { unique: true }),
  sys('suspended', 'Suspended', 'boolean', 'SUSPENDED'),
  sys('address', 'Address', 'string', 'ADDRESS', { length: 1024 }),
  sys('phone_number', 'Phone', 'string', 'PHONE'),
  sys('position', 'Position', 'string', 'POSITION'),
  sys('external_id', 'External ID', 'string', 'EXTERNAL_ID'),
  sys('email_subscription', 'Email Subscription', 'boolean', 'EMAIL_SUBSCRIPTION'),
  sys('role', 'Role', 'integer', 'PERMISSIONS_ID'),
  sys('last_login_date', 'Last Login Date', 'datetime', 'LAST_LOGIN_DATE', { readOnly: true }),
  sys('creation_date', 'Creation Date', 'datetime', 'CREATION_DATE', { readOnly: true }),
  sys('created_by', 'Created By', 'string', 'CREATED_BY', { readOnly: true }),
  sys('change_date', 'Change Date', 'datetime', 'CHANGE_DATE', { readOnly: true }),
  sys('changed_by', 'Changed By', 'string', 'CHANGED_BY', { readOnly: true }),
  sys('version', 'Version', 'string', 'VERSION', { readOnly: true }),
  sys('deleted', 'Deleted', 'string', 'DELETED', { readOnly: true }),
];

/** Field definitions by external id, in display order: system fields first, then custom ones. */
export type FieldRegistry = Map<string, FieldDefinition>;

export function createFieldRegistry(custom: readonly FieldDefinition[] = []): FieldRegistry {
  const registry: FieldRegistry = new Map(systemUserFields.map((f) => [f.externalId, f]));
  for (const field of custom) addCustomField(registry, field);
  return registry;
}

const externalIdPattern = /^[a-z][a-z0-9_]*$/;

/** Adds a custom field ("Add new Oomnitza users field"); refuses a bad name or a clash with an existing one. */
export function addCustomField(registry: FieldRegistry, field: FieldDefinition): FieldDefinition {
  if (!externalIdPattern.test(field.externalId)) {
    throw fieldError(
      'externalId',
      `"${field.externalId}" is not a valid external id; use lower case letters, digits and underscores, e.g. ninja_uid`,
    );
  }
  if (registry.has(field.externalId)) {
    throw fieldError('externalId', `a users field "${field.externalId}" already exists`, 'duplicate_field');
  }
  if (!(fieldDataTypes as readonly string[]).includes(field.dataType)) {
    throw fieldError('dataType', `"${String(field.dataType)}" is not one of ${fieldDataTypes.join(', ')}`);
  }
  if (field.dataType === 'dropdown' && (!field.options || field.options.length === 0)) {
    throw fieldError('options', 'a dropdown field needs at least one option');
  }
  const defined: FieldDefinition = {
    ...field,
    internalId: field.internalId ?? opaqueId(`field:${field.externalId}`, 32).toUpperCase(),
    system: false,
  };
  registry.set(field.externalId, defined);
  return defined;
}

const emailPattern = /^[^\s@]+@[^\s@]+$/;

/**
 * Checks a written value against its field and returns what is stored. `null` clears a field.
 * Types are strict, as a typed API should be: `"5"` is not an integer and `"true"` is not a boolean.
 * [INFERRED: Oomnitza's own coercion rules are not documented]
 */
export function coerceFieldValue(field: FieldDefinition, value: unknown): unknown {
  const name = field.externalId;
  if (value === null) {
    if (field.required) throw fieldError(name, 'is required and cannot be null');
    return null;
  }
  switch (field.dataType) {
    case 'string':
    case 'email': {
      if (typeof value !== 'string') throw fieldError(name, `expects text, got ${describe(value)}`, 'wrong_type');
      const max = field.length ?? 255;
      if (value.length > max) throw fieldError(name, `is at most ${max} characters, got ${value.length}`);
      if (field.dataType === 'email' && value !== '' && !emailPattern.test(value))
        throw fieldError(name, `"${value}" is not an email address`);
      return value;
    }
    case 'dropdown': {
      if (typeof value !== 'string') throw fieldError(name, `expects one of its dropdown values, got ${describe(value)}`, 'wrong_type');
      const option = field.options?.find((o) => o.toLowerCase() === value.toLowerCase());
      if (option === undefined)
        throw fieldError(name, `"${value}" is not one of its dropdown values (${(field.options ?? []).join(', ')})`);
      return option;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw fieldError(name, `expects an integer, got ${describe(value)}`, 'wrong_type');
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw fieldError(name, `expects a number, got ${describe(value)}`, 'wrong_type');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw fieldError(name, `expects true or false, got ${describe(value)}`, 'wrong_type');
      return value;
    case 'date':
    case 'datetime': {
      const epoch = parseDateValue(value);
      if (epoch === null) {
        throw fieldError(
          name,
          `expects a date as ISO 8601 in UTC ('YYYY-MM-DDTHH:mm:SSZ') or unix seconds, got ${describe(value)}`,
          'wrong_type',
        );
      }
      return field.dataType === 'date' ? epoch - (((epoch % 86400) + 86400) % 86400) : epoch;
    }
  }
}

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Unix seconds (integer) or ISO 8601 → epoch seconds; the time-zone suffix is ignored, as Oomnitza says. */
export function parseDateValue(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value !== 'string') return null;
  const m = isoPattern.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((part) => part ?? '0') as [
    string,
    string,
    string,
    string?,
    string?,
    string?,
  ];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return null;
  return Math.floor(ms / 1000);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${display(value)}`;
}
