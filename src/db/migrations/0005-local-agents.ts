/**
 * Local agents: the `ninja-sync agent` processes that run Local integrations on the customer's side.
 * An agent's bearer token is stored only as a SHA-256 hash (shown once, revocable); each Local
 * integration is assigned to one agent (`integrations.agent_id`, kept in step with the document's
 * `agent` by the integration store); `integrations.installation` lets the server's own workers pass
 * over Local runs in SQL; and every numbered record batch an agent sent is remembered, so a batch
 * sent again after a lost answer is recognised and never counted twice.
 * Same portable types as 0001 (see `../types.ts`).
 */
import type { Kysely } from 'kysely';

/** @example await up(db) // called by the Migrator, never by hand */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('token_hint', 'text', (c) => c.notNull())
    .addColumn('version', 'text')
    .addColumn('hostname', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('enrolled_at', 'text')
    .addColumn('last_seen_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('agents_name_unique').unique().on('agents').column('name').execute();
  await db.schema.createIndex('agents_token_hash_unique').unique().on('agents').column('token_hash').execute();

  await db.schema
    .alterTable('integrations')
    .addColumn('installation', 'text', (c) => c.notNull().defaultTo('cloud'))
    .execute();
  await db.schema
    .alterTable('integrations')
    .addColumn('agent_id', 'text', (c) => c.references('agents.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('integrations_agent_id').on('integrations').column('agent_id').execute();
  // Documents stored before this migration: the installation moves into its column once.
  const old = db as unknown as Kysely<{ integrations: { id: string; document: string; installation: string } }>;
  for (const row of await old.selectFrom('integrations').select(['id', 'document']).execute()) {
    let installation: unknown;
    try {
      installation = (JSON.parse(row.document) as { installation?: unknown }).installation;
    } catch {
      continue;
    }
    if (installation === 'local') await old.updateTable('integrations').set({ installation: 'local' }).where('id', '=', row.id).execute();
  }

  await db.schema
    .createTable('run_record_batches')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('batch', 'integer', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_record_batches_pk', ['run_id', 'batch'])
    .execute();
}

/** @example await down(db) */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('run_record_batches').execute();
  await db.schema.dropIndex('integrations_agent_id').execute();
  await db.schema.alterTable('integrations').dropColumn('agent_id').execute();
  await db.schema.alterTable('integrations').dropColumn('installation').execute();
  await db.schema.dropTable('agents').execute();
}
