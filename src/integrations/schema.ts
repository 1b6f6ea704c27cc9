/**
 * The integration document: one schema for the YAML file of `ninja-sync run --config`, the body of
 * the integrations API and what the UI edits and exports.
 *
 * Only the shape lives here. Cross-field rules that need the field catalogue (a sync key that is not
 * mapped, an expression that does not parse) live in `src/mapping/validate.ts`, so that this file
 * stays free of vendor knowledge.
 *
 * @example
 * const parsed = integrationSchema.safeParse(yaml.parse(text));
 */
import { z } from 'zod';

import { sourceUserTypes } from '../mapping/source-record.ts';

export const recordTypes = ['user', 'user_and_saas_user'] as const;
export type RecordType = (typeof recordTypes)[number];

export const installationTypes = ['cloud', 'local'] as const;
export type InstallationType = (typeof installationTypes)[number];

export const preferences = ['create_and_update', 'create_only', 'update_only'] as const;
export type Preference = (typeof preferences)[number];

/** The user types `source.userType` may ask for: the source port's, not the NinjaOne client's. */
export const userTypes = sourceUserTypes;

export const transformNames = ['trim', 'lower', 'upper', 'join', 'date', 'string', 'number', 'boolean'] as const;
export type TransformName = (typeof transformNames)[number];

export const filterOperators = [
  'eq',
  'ne',
  'in',
  'nin',
  'contains',
  'startsWith',
  'endsWith',
  'exists',
  'notExists',
  'gt',
  'lt',
  'matches',
] as const;
export type FilterOperator = (typeof filterOperators)[number];

/** A field name as Oomnitza's data model spells external ids: lower case, digits, underscores. */
const oomnitzaFieldName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'an Oomnitza field is lower case letters, digits and underscores, e.g. first_name');
/** A source field: a catalogue field (camelCase, e.g. firstName) or a custom field's name. */
const sourceFieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a source field is a name such as firstName or a custom field');

/**
 * A record whose keys must pass `key`. Zod's own answer for a bad key is only "Invalid key in
 * record"; this one names the key and says what a key must be, e.g. `"bad name!": a custom field
 * name is …`.
 */
function keyedRecord<V extends z.ZodType>(key: z.ZodString, value: V) {
  return z.record(key, value, {
    error: (issue) =>
      issue.code === 'invalid_key' ? `${JSON.stringify(issue.input)}: ${issue.issues[0]?.message ?? 'not a valid name'}` : undefined,
  });
}

/** A custom field's name: it is used as a source field, so it is spelled as one. */
const customFieldName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a custom field name is letters, digits and underscores, not starting with a digit, e.g. displayName');

/** A transform is a name, or an object for those that take an argument. */
export const transformSchema = z.union([
  z.enum(['trim', 'lower', 'upper', 'string', 'number', 'boolean']),
  z.strictObject({ join: z.string() }),
  z.strictObject({ date: z.enum(['iso', 'epoch', 'date']) }),
]);
export type Transform = z.infer<typeof transformSchema>;

/** Where a target field's value comes from: exactly one of field, expr or value. */
export const targetSchema = z.union([
  sourceFieldName,
  z.strictObject({ field: sourceFieldName, transform: z.array(transformSchema).optional() }),
  z.strictObject({ expr: z.string().min(1), transform: z.array(transformSchema).optional() }),
  z.strictObject({ value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }),
]);
export type Target = z.infer<typeof targetSchema>;

export const filterRuleSchema = z.union([
  z.strictObject({
    field: sourceFieldName,
    op: z.enum(filterOperators),
    value: z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number(), z.boolean()]))]).optional(),
  }),
  z.strictObject({ expr: z.string().min(1), description: z.string().optional() }),
]);
export type FilterRule = z.infer<typeof filterRuleSchema>;

const durationPattern = /^(\d+)\s*(m|min|h)$/;
export const scheduleSchema = z.union([
  z.strictObject({
    daily: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, e.g. 02:00'),
    timezone: z.string().default('UTC'),
  }),
  z.strictObject({ every: z.string().regex(durationPattern, 'an interval such as 30m or 6h'), timezone: z.string().default('UTC') }),
  z.strictObject({ cron: z.string().min(9), timezone: z.string().default('UTC') }),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

export const sourceSchema = z.strictObject({
  /** A credential stored on the server, by name. Either this or the inline fields below. */
  credential: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  /** Inline refresh token, for a headless run with a token obtained elsewhere. */
  refreshToken: z.string().min(1).optional(),
  scopes: z.string().default('monitoring management'),
  userType: z.enum(userTypes).optional(),
});
export type SourceConfig = z.infer<typeof sourceSchema>;

export const destinationSchema = z.strictObject({
  /** An Oomnitza connection stored on the server, by name. Either this or url + apiToken. */
  connection: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  apiToken: z.string().min(1).optional(),
});
export type DestinationConfig = z.infer<typeof destinationSchema>;

export const fuseSchema = z.strictObject({
  maxChanges: z.number().int().positive().optional(),
  maxShare: z.number().gt(0).max(1).optional(),
});
export type Fuse = z.infer<typeof fuseSchema>;

/** What happens to the Oomnitza users this integration manages when their NinjaOne user leaves or is disabled. */
export const offboardingPolicies = ['leave', 'suspend'] as const;
export type OffboardingPolicy = (typeof offboardingPolicies)[number];

/** Suspensions one run may make before the fuse stops it: more than half the linked users by default. */
export const defaultOffboardingMaxShare = 0.5;

export const offboardingSchema = z.strictObject({
  /** leave: today's behaviour, nothing is suspended; suspend: Oomnitza's `suspended: true`, undone when the user is back. */
  policy: z.enum(offboardingPolicies).default('leave'),
  /** At most this many suspensions in one run (no limit when absent; the share still applies). */
  maxSuspensions: z.number().int().nonnegative().optional(),
  /** At most this share of the linked users suspended in one run; 1 allows even an empty NinjaOne. */
  maxShare: z.number().gt(0).max(1).optional(),
});
export type Offboarding = z.infer<typeof offboardingSchema>;

export const integrationSchema = z.strictObject({
  name: z.string().min(1).max(200),
  source: sourceSchema,
  destination: destinationSchema,
  allowInsecureHttp: z.boolean().default(false),
  recordType: z.enum(recordTypes).default('user'),
  installation: z.enum(installationTypes).default('cloud'),
  /** Local only: the agent (by name) that runs this integration on the customer's side. */
  agent: z.string().min(1).max(100).optional(),
  preference: z.enum(preferences).default('create_and_update'),
  /** Oomnitza fields, in priority order; the first is the primary key. */
  syncKeys: z.array(oomnitzaFieldName).min(1, 'at least one sync key is needed, e.g. [email]'),
  /** Write secondary sync keys on update too (off by default, as in Oomnitza). */
  updateSyncKeys: z.boolean().default(false),
  customFields: keyedRecord(customFieldName, z.string().min(1)).default({}),
  filters: z.array(filterRuleSchema).default([]),
  mapping: keyedRecord(oomnitzaFieldName, targetSchema).refine((m) => Object.keys(m).length > 0, 'map at least one Oomnitza field'),
  fuse: fuseSchema.optional(),
  /** Offboarding: absent is `{ policy: leave }`. See `src/sync/offboard.ts`. */
  offboarding: offboardingSchema.optional(),
  /**
   * Write the fields mapped from Connector Sync Time on every run (a heartbeat). Off by default:
   * they are written only with another change of that record, so an unchanged user costs no write.
   */
  writeSyncTimeEveryRun: z.boolean().default(false),
  schedule: scheduleSchema.default({ daily: '02:00', timezone: 'UTC' }),
  contacts: z.array(z.string().min(1)).default([]),
  enabled: z.boolean().default(true),
});
/** The integration as written (defaults not yet applied). */
export type IntegrationInput = z.input<typeof integrationSchema>;
/** The integration after parsing: every default applied. */
export type Integration = z.output<typeof integrationSchema>;
