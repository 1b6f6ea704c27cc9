import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';

import { exchange } from './node-transport.ts';
import {
  allowPrivateVendorHosts,
  guardedLookup,
  isNonPublicAddress,
  privateVendorHostsAllowed,
  resolvedHostProblem,
  vendorHostProblem,
} from './vendor-hosts.ts';

const before = privateVendorHostsAllowed();
after(() => allowPrivateVendorHosts(before));

test('loopback, private, link-local, shared, reserved and mapped addresses are not public; public ones are', () => {
  for (const address of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd12::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '[::1]',
  ])
    assert.equal(isNonPublicAddress(address), true, address);
  for (const address of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8'])
    assert.equal(isNonPublicAddress(address), false, address);
});

test('the URL check refuses IP literals and localhost unless allowed, and names the setting', () => {
  allowPrivateVendorHosts(false);
  assert.match(vendorHostProblem(new URL('https://93.184.216.34')) ?? '', /is an IP address; .*NINJA_SYNC_ALLOW_PRIVATE_HOSTS=true/);
  assert.match(vendorHostProblem(new URL('http://LOCALHOST.:8080')) ?? '', /is this machine/);
  assert.match(vendorHostProblem(new URL('https://api.localhost')) ?? '', /is this machine/);
  assert.equal(vendorHostProblem(new URL('https://acme.oomnitza.com')), null);
  allowPrivateVendorHosts(true);
  assert.equal(vendorHostProblem(new URL('http://127.0.0.1:4010')), null);
});

test('a name that resolves to loopback is refused at save time (DNS) and at connect time (the agents resolve through guardedLookup)', async (t) => {
  const server = createServer((_request, response) => response.end('reached'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  let reached = 0;
  server.on('request', () => reached++);

  allowPrivateVendorHosts(false);
  assert.match((await resolvedHostProblem('localhost')) ?? '', /resolves to 127\.0\.0\.1, which is not a public address/);
  const lookedUp = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', {}, (error) => resolve(error)));
  assert.equal(lookedUp?.code, 'EPRIVATEHOST');
  // The transport alone (without sendJson's URL check): the connection is refused before it opens.
  const signal = new AbortController().signal;
  await assert.rejects(exchange(new URL(`http://localhost:${port}/`), { method: 'GET', headers: {}, body: undefined, signal }), {
    code: 'EPRIVATEHOST',
  });
  assert.equal(reached, 0);

  allowPrivateVendorHosts(true);
  assert.equal(await resolvedHostProblem('localhost'), null);
  const answer = await exchange(new URL(`http://localhost:${port}/`), { method: 'GET', headers: {}, body: undefined, signal });
  assert.equal(answer.text, 'reached');
});
