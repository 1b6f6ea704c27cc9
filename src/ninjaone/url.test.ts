import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseNinjaOneUrl } from './url.ts';

const secure = { allowInsecureHttp: false };
const insecure = { allowInsecureHttp: true };

describe('parseNinjaOneUrl accepts and normalises to the origin', () => {
  const cases: ReadonlyArray<readonly [input: string, origin: string, allowInsecureHttp?: boolean]> = [
    ['https://app.ninjarmm.com', 'https://app.ninjarmm.com'],
    ['https://us2.ninjarmm.com', 'https://us2.ninjarmm.com'],
    ['https://eu.ninjarmm.com', 'https://eu.ninjarmm.com'],
    ['https://ca.ninjarmm.com', 'https://ca.ninjarmm.com'],
    ['https://oc.ninjarmm.com', 'https://oc.ninjarmm.com'],
    ['https://fed.ninjarmm.com', 'https://fed.ninjarmm.com'],
    ['https://jp.ninjarmm.com', 'https://jp.ninjarmm.com'],
    ['https://acme.rmmservice.com', 'https://acme.rmmservice.com'],
    ['https://comda.rmmservice.eu', 'https://comda.rmmservice.eu'],
    ['https://rcs-sales.rmmservice.ca', 'https://rcs-sales.rmmservice.ca'],
    ['https://alphalogix.rmmservice.com.au', 'https://alphalogix.rmmservice.com.au'],
    // Pasted from the browser or the docs.
    ['https://eu.ninjarmm.com/ws/oauth/authorize?response_type=code&client_id=abc', 'https://eu.ninjarmm.com'],
    ['https://app.ninjarmm.com/apidocs/NinjaRMM-API-v2.json', 'https://app.ninjarmm.com'],
    ['https://acme.rmmservice.com/#/dashboard', 'https://acme.rmmservice.com'],
    ['https://acme.rmmservice.com/api/v2/users', 'https://acme.rmmservice.com'],
    ['https://acme.rmmservice.com/', 'https://acme.rmmservice.com'],
    ['https://acme.rmmservice.com:443/', 'https://acme.rmmservice.com'],
    ['  https://acme.rmmservice.com  ', 'https://acme.rmmservice.com'],
    ['HTTPS://ACME.RMMSERVICE.COM/', 'https://acme.rmmservice.com'],
    ['EU.NinjaRMM.com', 'https://eu.ninjarmm.com'],
    ['acme.rmmservice.com/#/dashboard', 'https://acme.rmmservice.com'],
    ['https://eu.ninjarmm.com./', 'https://eu.ninjarmm.com'],
    // Loopback emulators, only with allowInsecureHttp.
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010', true],
    ['http://127.0.0.1:4010/ws/oauth/token', 'http://127.0.0.1:4010', true],
    ['http://127.45.6.7:8080/', 'http://127.45.6.7:8080', true],
    ['http://localhost:3000', 'http://localhost:3000', true],
    ['http://LOCALHOST:3000/x', 'http://localhost:3000', true],
    ['http://[::1]:9000', 'http://[::1]:9000', true],
    ['https://localhost:8443', 'https://localhost:8443', true],
    ['localhost:3000', 'https://localhost:3000', true],
  ];
  for (const [input, origin, allowInsecureHttp = false] of cases) {
    test(`${JSON.stringify(input)} → ${origin}`, () => {
      const parsed = parseNinjaOneUrl(input, { allowInsecureHttp });
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      assert.equal(parsed.url.origin, origin);
      assert.equal(parsed.url.pathname, '/');
      assert.equal(parsed.url.search, '');
      assert.equal(parsed.url.hash, '');
    });
  }
});

describe('parseNinjaOneUrl refuses with a message that says what to do', () => {
  const expectedForm = /https:\/\/<subdomain>\.rmmservice\.com.*https:\/\/app\.ninjarmm\.com.*https:\/\/eu\.ninjarmm\.com/;
  const cases: ReadonlyArray<readonly [name: string, input: string, message: RegExp, allowInsecureHttp?: boolean]> = [
    ['empty', '   ', expectedForm],
    ['not a URL', 'https://exa mple', expectedForm],
    ['another vendor', 'https://acme.oomnitza.com', /acme\.oomnitza\.com is not a NinjaOne host.*<subdomain>\.rmmservice\.com/],
    ['ninjaone marketing site', 'https://www.ninjaone.com/docs', /www\.ninjaone\.com is not a NinjaOne host/],
    ['bare ninjarmm.com', 'https://ninjarmm.com', /not a NinjaOne host/],
    ['unknown region', 'https://xx.ninjarmm.com', /xx\.ninjarmm\.com is not a NinjaOne host.*us2\.ninjarmm\.com.*fed\.ninjarmm\.com/],
    ['bare rmmservice', 'https://rmmservice.com', /not a NinjaOne host/],
    ['nested white-label', 'https://a.b.rmmservice.com', /not a NinjaOne host/],
    ['white-label on a wrong TLD', 'https://acme.rmmservice.de', /not a NinjaOne host/],
    ['look-alike suffix', 'https://acme.rmmservice.com.evil.example', /not a NinjaOne host/],
    ['legacy v1 US', 'https://api.ninjarmm.com', /retired v1 API.*Use https:\/\/app\.ninjarmm\.com/],
    ['legacy v1 EU', 'https://eu-api.ninjarmm.com/v2/users', /eu-api\.ninjarmm\.com.*Use https:\/\/eu\.ninjarmm\.com/],
    ['http on a NinjaOne host', 'http://eu.ninjarmm.com', /https only: use https:\/\/eu\.ninjarmm\.com/],
    ['http on a NinjaOne host even when insecure is allowed', 'http://acme.rmmservice.com', /https only/, true],
    ['a port on a NinjaOne host', 'https://eu.ninjarmm.com:8443', /take no port/],
    ['another scheme', 'ftp://eu.ninjarmm.com', /must start with https:\/\//],
    ['credentials in the URL', 'https://user:hunter2@eu.ninjarmm.com', /must not contain a user name or password/],
    ['loopback without the setting', 'http://127.0.0.1:4010', /allowInsecureHttp/],
    ['localhost without the setting', 'http://localhost:3000', /allowInsecureHttp/],
    ['[::1] without the setting', 'http://[::1]:3000', /allowInsecureHttp/],
    ['a private address is not loopback', 'http://10.0.0.5:4010', /10\.0\.0\.5 is not a NinjaOne host/, true],
    ['a name that merely starts with 127', 'http://127.0.0.1.nip.io', /not a NinjaOne host/, true],
  ];
  for (const [name, input, message, allowInsecureHttp = false] of cases) {
    test(name, () => {
      const parsed = parseNinjaOneUrl(input, { allowInsecureHttp });
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.message, message);
    });
  }

  test('never echoes a password or a query string', () => {
    for (const input of ['https://user:hunter2@eu.ninjarmm.com', 'https://evil.example/?access_token=s3cr3t']) {
      const parsed = parseNinjaOneUrl(input, secure);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.doesNotMatch(parsed.message, /hunter2|s3cr3t/);
    }
  });

  test('the advertised hosts leave out the undocumented jp host', () => {
    const parsed = parseNinjaOneUrl('https://nope.example', insecure);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.doesNotMatch(parsed.message, /jp\.ninjarmm/);
  });
});
