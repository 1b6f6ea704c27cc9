import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';

import { binPath, repoRoot } from './helpers.ts';

interface EmulateJson {
  ninjaone: {
    url: string;
    admin: string;
    clientApps: { name: string; clientId: string; clientSecret: string; grants: string[]; scopes: string[]; redirectUris: string[] }[];
  };
  oomnitza: { url: string; apiToken: string; admin: string };
}

describe('ninja-sync emulate --json', () => {
  test('prints one line of JSON, the URLs answer with the printed credentials, and SIGTERM stops it with 0', async (t) => {
    const child = spawn(process.execPath, [binPath, 'emulate', '--json', '--users', '12', '--seed', '5'], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8');
    const firstLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output in time; stderr: ${stderr}`)), 60_000);
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) {
          clearTimeout(timer);
          resolve(stdout.slice(0, stdout.indexOf('\n')));
        }
      });
      child.on('exit', () => reject(new Error(`emulate exited early; stderr: ${stderr}`)));
    });

    const info = JSON.parse(firstLine) as EmulateJson;
    assert.match(info.ninjaone.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(info.oomnitza.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const m2m = info.ninjaone.clientApps.find((app) => app.grants.includes('client_credentials'));
    const web = info.ninjaone.clientApps.find((app) => app.grants.includes('authorization_code'));
    assert.ok(m2m && web, firstLine);
    assert.ok(web.grants.includes('refresh_token'));
    assert.ok(Array.isArray(web.redirectUris));
    assert.ok(info.oomnitza.apiToken.length > 0);

    // The printed client credentials get a token, and the token reads the users.
    const tokenResponse = await fetch(`${info.ninjaone.url}/ws/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: m2m.clientId,
        client_secret: m2m.clientSecret,
        scope: 'monitoring',
      }),
    });
    assert.equal(tokenResponse.status, 200);
    const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
    const users = await fetch(`${info.ninjaone.url}/v2/users`, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(users.status, 200);
    assert.equal(((await users.json()) as unknown[]).length, 12);

    // The printed Oomnitza token is accepted.
    const oomnitzaUsers = await fetch(`${info.oomnitza.url}/api/v3/users?limit=1`, { headers: { Authorization2: info.oomnitza.apiToken } });
    assert.equal(oomnitzaUsers.status, 200);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim().split('\n').length, 1, 'exactly one line on stdout');
  });
});
