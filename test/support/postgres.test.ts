import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import pg from 'pg';

import { createPostgresDatabase, dropPostgresDatabase, startPostgres, stopSharedPostgres } from './postgres.ts';

after(() => stopSharedPostgres());

async function query(url: string, text: string): Promise<pg.QueryResult<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<Record<string, unknown>>(text);
  } finally {
    await client.end();
  }
}

test('each test database is separate and is dropped', async () => {
  const first = await createPostgresDatabase();
  const second = await createPostgresDatabase();
  assert.notEqual(first, second);
  assert.match(first, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/t_[0-9a-f]{16}$/);
  await query(first, 'CREATE TABLE only_here (x int)');
  const seen = await query(second, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_here'");
  assert.equal(seen.rows[0]?.n, 0);
  await dropPostgresDatabase(first);
  await dropPostgresDatabase(second);
  await assert.rejects(query(first, 'SELECT 1'), /does not exist/);
});

test('the server runs with fsync off and a server of its own can be stopped', async () => {
  const server = await startPostgres();
  try {
    const result = await query(server.url, 'SHOW fsync');
    assert.equal(result.rows[0]?.fsync, 'off');
  } finally {
    await server.stop();
  }
  await assert.rejects(query(server.url, 'SELECT 1'), /ECONNREFUSED/);
});
