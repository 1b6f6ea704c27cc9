/**
 * The Oomnitza instance URL an admin pastes, checked and reduced to its origin. Oomnitza lives at
 * `https://<instance>.oomnitza.com` (or a customer host); people paste what their browser shows,
 * often with a path (`/assets/...`) or `/api/v3`, so everything after the host is dropped. Plain
 * `http` would send the API token in clear text, so it is refused except for a loopback emulator
 * with `allowInsecureHttp` set.
 *
 * @example
 * parseOomnitzaBaseUrl('https://Acme.oomnitza.com/api/v3/'); // URL https://acme.oomnitza.com
 * parseOomnitzaBaseUrl('http://127.0.0.1:4010', { allowInsecureHttp: true });
 */
import { vendorHostProblem } from '../http/vendor-hosts.ts';

/** A destination setting that cannot work; the message names the setting and the fix. */
export class OomnitzaConfigError extends Error {
  override readonly name = 'OomnitzaConfigError';
  constructor(
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const expectedForm = 'https://<instance>.oomnitza.com';

export function parseOomnitzaBaseUrl(input: URL | string, options: { readonly allowInsecureHttp?: boolean } = {}): URL {
  let url: URL;
  try {
    url = new URL(typeof input === 'string' ? input.trim() : input.href);
  } catch (cause) {
    throw new OomnitzaConfigError('destination.url', `destination.url "${String(input)}" is not a URL; expected ${expectedForm}`, {
      cause,
    });
  }
  if (url.username !== '' || url.password !== '') {
    throw new OomnitzaConfigError(
      'destination.url',
      `destination.url must not carry a user name or password; put the API token in destination.apiToken and use ${expectedForm}`,
    );
  }
  if (url.protocol === 'http:') {
    if (!isLoopback(url.hostname)) {
      throw new OomnitzaConfigError(
        'destination.url',
        `destination.url uses http, which would send the API token unencrypted; use ${expectedForm} (http is allowed only for a loopback emulator with allowInsecureHttp: true)`,
      );
    }
    if (options.allowInsecureHttp !== true) {
      throw new OomnitzaConfigError(
        'allowInsecureHttp',
        `destination.url ${url.origin} uses http; set allowInsecureHttp: true to talk to a local emulator, or use ${expectedForm}`,
      );
    }
  } else if (url.protocol !== 'https:') {
    throw new OomnitzaConfigError(
      'destination.url',
      `destination.url must start with https:// (got ${url.protocol}); expected ${expectedForm}`,
    );
  }
  const hostProblem = vendorHostProblem(url);
  if (hostProblem !== null) throw new OomnitzaConfigError('destination.url', `destination.url: ${hostProblem}`);
  return new URL(url.origin);
}

/** 127.0.0.0/8, ::1 and localhost: hosts that never leave the machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
