/**
 * The NinjaOne URL an admin types or pastes, checked and reduced to its origin.
 *
 * NinjaOne runs one instance per region (`app`, `us2`, `eu`, `ca`, `oc`, `fed` under
 * `.ninjarmm.com`) plus white-label hosts (`<sub>.rmmservice.com|.eu|.ca|.com.au`); a client app
 * exists on exactly one of them, so the host matters and a typo must be caught here rather than show
 * up later as "Client app not exist". People paste whatever their browser shows (a dashboard URL
 * with `/#/...`, the authorize URL, an `/apidocs` page), so path, query and fragment are dropped.
 *
 * `jp.ninjarmm.com` is accepted although it is not a documented API host: it is a NinjaOne-run host
 * that serves the API spec and a community client lists it as a region. Refusing it would lock a
 * tenant there out with no workaround, while accepting it costs nothing: a wrong host fails at the
 * token endpoint with our "wrong NinjaOne URL/region or client ID" message. It is left out of the
 * hosts the error message suggests.
 *
 * @example
 * const parsed = parseNinjaOneUrl('EU.ninjarmm.com/#/dashboard', { allowInsecureHttp: false });
 * if (parsed.ok) parsed.url.origin; // 'https://eu.ninjarmm.com'
 */

import { vendorHostProblem } from '../http/vendor-hosts.ts';

/** The documented regional API hosts, in the order the error message lists them. */
export const ninjaOneRegionalHosts = ['app', 'us2', 'eu', 'ca', 'oc', 'fed'].map((region) => `${region}.ninjarmm.com`);

/** Accepted but not advertised (see the module comment). */
const undocumentedRegionalHosts = ['jp.ninjarmm.com'];

/** Hosts of the retired HMAC-signed v1 API, and the v2 host that replaces each. */
const legacyHosts: Readonly<Record<string, string>> = {
  'api.ninjarmm.com': 'app.ninjarmm.com',
  'eu-api.ninjarmm.com': 'eu.ninjarmm.com',
  'ca-api.ninjarmm.com': 'ca.ninjarmm.com',
  'oc-api.ninjarmm.com': 'oc.ninjarmm.com',
  'us2-api.ninjarmm.com': 'us2.ninjarmm.com',
};

/** One DNS label: letters, digits, inner hyphens. */
const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const whiteLabelHost = new RegExp(`^${label}\\.rmmservice\\.(?:com|eu|ca|com\\.au)$`);

const expectedForm =
  'Expected https://<subdomain>.rmmservice.com (or .eu, .ca, .com.au) for a white-label instance, ' +
  `or a regional host: ${ninjaOneRegionalHosts.map((host) => `https://${host}`).join(', ')}.`;

export type ParsedNinjaOneUrl = { ok: true; url: URL } | { ok: false; message: string };

export interface ParseNinjaOneUrlOptions {
  /** The integration's `allowInsecureHttp` setting: lets a loopback URL (an emulator) through. */
  readonly allowInsecureHttp: boolean;
}

/**
 * Validates a NinjaOne URL and returns its origin (`https://host`, no path). Never throws.
 *
 * @example
 * parseNinjaOneUrl('http://127.0.0.1:4010', { allowInsecureHttp: true }); // { ok: true, url: http://127.0.0.1:4010 }
 */
export function parseNinjaOneUrl(input: string, options: ParseNinjaOneUrlOptions): ParsedNinjaOneUrl {
  const text = input.trim();
  if (text === '') return refuse(`The NinjaOne URL is empty. ${expectedForm}`);
  // Without a scheme, `new URL` would read "host:port" as a scheme or fail; assume https.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return refuse(`The NinjaOne URL could not be read as a URL. ${expectedForm}`);
  }
  const host = url.hostname.replace(/\.$/, '');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refuse(`The NinjaOne URL must start with https:// (it starts with ${url.protocol}//). ${expectedForm}`);
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo them: a password pasted into a URL is still a password.
    return refuse(`The NinjaOne URL must not contain a user name or password; remove the part before "@". ${expectedForm}`);
  }

  if (isLoopback(host)) {
    if (!options.allowInsecureHttp) {
      return refuse(
        `The NinjaOne URL points at this machine (${host}), which only an emulator does; ` +
          'set allowInsecureHttp: true to allow a loopback URL, or use your NinjaOne host. ' +
          expectedForm,
      );
    }
    const hostProblem = vendorHostProblem(url);
    if (hostProblem !== null) return refuse(`The NinjaOne URL is refused: ${hostProblem}.`);
    return accept(url.protocol, url.host);
  }

  const legacyReplacement = legacyHosts[host];
  if (legacyReplacement !== undefined) {
    return refuse(
      `${host} is the host of NinjaOne's retired v1 API, which does not serve OAuth or /v2. ` +
        `Use https://${legacyReplacement} (the instance your NinjaOne account is on) instead.`,
    );
  }

  const known = ninjaOneRegionalHosts.includes(host) || undocumentedRegionalHosts.includes(host) || whiteLabelHost.test(host);
  if (!known) return refuse(`${host} is not a NinjaOne host. ${expectedForm}`);
  if (url.protocol === 'http:') {
    return refuse(`NinjaOne is reached over https only: use https://${host} instead of http://${host}.`);
  }
  if (url.port !== '') {
    return refuse(`NinjaOne hosts take no port: use https://${host} instead of https://${host}:${url.port}.`);
  }
  return accept('https:', host);
}

/** 127.0.0.0/8, localhost and [::1]. `new URL` has already turned `127.1` into `127.0.0.1`. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function accept(protocol: string, host: string): ParsedNinjaOneUrl {
  return { ok: true, url: new URL(`${protocol}//${host}`) };
}

function refuse(message: string): ParsedNinjaOneUrl {
  return { ok: false, message };
}
