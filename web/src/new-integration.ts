/**
 * The document a new integration starts from: the usual user mapping, keyed on e-mail, so that a
 * first dry run works once a credential and a connection are picked.
 */
import type { IntegrationInput } from '../../src/contracts/integrations.ts';

export function newIntegrationDocument(credential: string, connection: string): IntegrationInput {
  return {
    name: 'NinjaOne users',
    source: { credential },
    destination: { connection },
    recordType: 'user',
    installation: 'cloud',
    preference: 'create_and_update',
    syncKeys: ['email'],
    customFields: {},
    filters: [],
    mapping: {
      email: { field: 'email', transform: ['trim', 'lower'] },
      username: { field: 'email', transform: ['trim', 'lower'] },
      first_name: 'firstName',
      last_name: 'lastName',
    },
    schedule: { daily: '02:00', timezone: 'UTC' },
    contacts: [],
    enabled: true,
  };
}
