/**
 * The integration every benchmark section runs: users by email, with a JSONata custom field, an
 * expression target, transforms and a filter, so mapping costs what a real mapping costs.
 *
 * @example
 * const integration = benchIntegration({ ninjaoneUrl, oomnitzaUrl, apiToken });
 * const ids = await seedMsp(db, vault, tenants, () => benchSyncDocument);
 */
import { type Integration, integrationSchema } from '../src/integrations/schema.ts';

/**
 * What the bench syncs, without where it reads and writes: the single-sync sections wrap it with a
 * source and destination here, the scale section stores it once per tenant (bench/scale.ts).
 */
export const benchSyncDocument = {
  syncKeys: ['email'],
  customFields: { fullName: "$trim($trim(firstName) & ' ' & $trim(lastName))" },
  filters: [{ field: 'invitationStatus', op: 'ne', value: 'EXPIRED' }],
  mapping: {
    email: { field: 'email', transform: ['trim', 'lower'] },
    username: { field: 'email', transform: ['trim', 'lower'] },
    first_name: { field: 'firstName', transform: ['trim'] },
    last_name: { field: 'lastName', transform: ['trim'] },
    full_name: 'fullName',
    phone_number: 'phone',
    external_id: 'uid',
    position: { expr: "userType = 'TECHNICIAN' ? 'Technician' : 'End user'" },
  },
} as const;

export function benchIntegration(options: {
  readonly ninjaoneUrl: string;
  readonly oomnitzaUrl: string;
  readonly apiToken: string;
}): Integration {
  return integrationSchema.parse({
    name: 'Benchmark: NinjaOne users',
    source: { url: options.ninjaoneUrl, clientId: 'demo-m2m', clientSecret: 'demo-m2m-secret', scopes: 'monitoring' },
    destination: { url: options.oomnitzaUrl, apiToken: options.apiToken },
    allowInsecureHttp: true,
    ...benchSyncDocument,
  });
}
