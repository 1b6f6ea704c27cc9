/**
 * Which hosts a vendor call may reach. NinjaOne and Oomnitza live on the public internet, so a
 * vendor URL whose host is an IP address, `localhost`, or a name that resolves to a loopback,
 * private, link-local or otherwise non-public address is refused: otherwise an admin's URL (or a
 * DNS answer) could point the server, with its sealed tokens, at the cloud metadata service or an
 * internal admin page. It is checked when a URL is saved and again at every connection (the
 * keep-alive agents resolve through `guardedLookup`, so a DNS answer that changes later is caught).
 *
 * One setting allows them: `NINJA_SYNC_ALLOW_PRIVATE_HOSTS=true` in the environment, for the
 * emulators, the demo and the tests. Plain http stays a separate, per-connection choice
 * (`allowInsecureHttp`, loopback only).
 *
 * @example
 * const problem = vendorHostProblem(new URL('https://169.254.169.254'));   // 'the host 169.254.169.254 is an IP address; …'
 * await resolvedHostProblem('acme.oomnitza.com');                            // null when it resolves to public addresses
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** The one operator setting that lets vendor URLs reach addresses on this machine or a private network. */
export const allowPrivateHostsVariable = 'NINJA_SYNC_ALLOW_PRIVATE_HOSTS';

let allowPrivate = process.env[allowPrivateHostsVariable] === 'true';

/** Sets the policy for this process (the server from its config, the demo for its emulators). */
export function allowPrivateVendorHosts(allow: boolean): void {
  allowPrivate = allow;
}

export function privateVendorHostsAllowed(): boolean {
  return allowPrivate;
}

const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  nonPublic.addSubnet(network, prefix, 'ipv6');

/** True for loopback, private, link-local, shared, multicast and reserved addresses (IPv4-mapped IPv6 included). */
export function isNonPublicAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(plain);
  if (mapped?.[1]) return nonPublic.check(mapped[1], 'ipv4');
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(plain);
  if (mappedHex?.[1] && mappedHex[2]) {
    const high = parseInt(mappedHex[1], 16);
    const low = parseInt(mappedHex[2], 16);
    return nonPublic.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
  }
  const family = isIP(plain);
  if (family === 4) return nonPublic.check(plain, 'ipv4');
  if (family === 6) return nonPublic.check(plain, 'ipv6');
  return false;
}

const fix = `vendor URLs must name a public host; to reach an emulator or a host on a private network, the operator sets ${allowPrivateHostsVariable}=true`;

/** What is wrong with a URL's host, from the URL alone (no DNS), or null. */
export function vendorHostProblem(url: URL): string | null {
  if (allowPrivate) return null;
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(host) !== 0) return `the host ${host} is an IP address; ${fix}`;
  if (host === 'localhost' || host.endsWith('.localhost')) return `the host ${host} is this machine; ${fix}`;
  return null;
}

/**
 * Resolves a host name and says what is wrong when any of its addresses is not public, or null.
 * A name that does not resolve (yet) is not a problem here: the connection will fail, and is
 * checked again then.
 */
export async function resolvedHostProblem(hostname: string, timeoutMs = 3_000): Promise<string | null> {
  if (allowPrivate || isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) return null;
  const addresses = await new Promise<LookupAddress[]>((resolve) => {
    const timer = setTimeout(() => resolve([]), timeoutMs);
    dnsLookup(hostname, { all: true }, (error, found) => {
      clearTimeout(timer);
      resolve(error ? [] : found);
    });
  });
  const bad = addresses.find((entry) => isNonPublicAddress(entry.address));
  return bad ? `the host ${hostname} resolves to ${bad.address}, which is not a public address; ${fix}` : null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * `dns.lookup` for the vendor agents: the same answer, unless the policy refuses private hosts and
 * an address is not public; then the connection fails with code `EPRIVATEHOST`.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, function checkAddresses(error, addresses) {
    if (error) return callback(error, options.all ? [] : '');
    const bad = allowPrivate ? undefined : addresses.find((entry) => isNonPublicAddress(entry.address));
    if (bad) {
      const refused: NodeJS.ErrnoException = new Error(
        `the host ${hostname} resolves to ${bad.address}, which is not a public address; ${fix}`,
      );
      refused.code = 'EPRIVATEHOST';
      return callback(refused, options.all ? [] : '');
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) {
      const none: NodeJS.ErrnoException = new Error(`the host ${hostname} has no address`);
      none.code = 'ENOTFOUND';
      return callback(none, '');
    }
    return callback(null, first.address, first.family);
  });
}
