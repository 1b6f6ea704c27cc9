/**
 * The one place that keeps secrets out of messages, logs and e-mails:
 * - `secretsOfRequest` + `secretScrubber`: known secret values (a request's auth headers and
 *   token-like form fields, an integration file's secrets) replaced anywhere in a text;
 * - `redactUrl`: a URL or request path without its password or secret query values;
 * - `redactText`: free text (an error message) without `user:password@` in URLs or the value of
 *   `token=`/`secret=`-style pairs;
 * - `bodyExcerpt`: a response body cut down to a short, single-line excerpt, so an HTML error page
 *   never floods a log.
 *
 * @example
 * const scrub = secretScrubber(['tok_123']);
 * scrub('bad token tok_123'); // 'bad token [redacted]'
 * redactUrl('/oauth2/redirect?code=abc&state=xyz'); // '/oauth2/redirect?code=[redacted]&state=[redacted]'
 */

/** Header names whose values are always secret, compared in lower case. */
const secretHeaderPattern = /^(authorization2?|cookie|set-cookie|x-csrf-token|proxy-authorization)$|token|secret|api[-_]?key|password/i;
/** Form and JSON field names whose values are secret (OAuth grants, passwords). */
const secretFieldPattern = /secret|token|password|^code$|code_verifier|assertion/i;

/** The secret values found in a request's headers and form body. */
export function secretsOfRequest(headers: Record<string, string> | undefined, form: URLSearchParams | undefined): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!secretHeaderPattern.test(name) || value === '') continue;
    secrets.push(value);
    // "Bearer abc": the bare token may be echoed back without its scheme.
    const bare = value.replace(/^(bearer|basic|token)\s+/i, '');
    if (bare !== value && bare !== '') secrets.push(bare);
  }
  for (const [name, value] of form ?? []) {
    if (secretFieldPattern.test(name) && value !== '') secrets.push(value);
  }
  return secrets;
}

/** A function that replaces every secret (at least 4 characters long, to avoid eating words) in a text. */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const usable = [...new Set(secrets.filter((secret) => secret.length >= 4))].sort((a, b) => b.length - a.length);
  return function scrub(text: string): string {
    let out = text;
    for (const secret of usable) out = out.split(secret).join('[redacted]');
    return out;
  };
}

/** Query parameters that carry secrets or one-time values (OAuth codes and state, tokens). */
const secretQueryPattern = /([?&](?:code|state|token|access_token|refresh_token|client_secret|code_verifier)=)[^&]*/gi;

/**
 * A URL fit for a log or a message: the password of `user:password@` becomes `***`, the values of
 * query parameters that carry secrets or one-time values become `[redacted]`. Takes absolute URLs
 * and request paths (`/oauth2/redirect?code=…`); an absolute URL it cannot parse shows only its
 * scheme, since the rest may hold a secret.
 *
 * @example redactUrl('postgres://app:s3cret@db:5432/sync') // 'postgres://app:***@db:5432/sync'
 */
export function redactUrl(url: string): string {
  if (url.startsWith('/')) return url.replace(secretQueryPattern, '$1[redacted]');
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(secretQueryPattern, '$1[redacted]');
  } catch {
    return `${url.split(':')[0] ?? ''}://(unparseable URL)`;
  }
}

/**
 * Free text (an error message) without `user:password@` in the URLs it names and without the value
 * of `token=`/`secret=`-style pairs.
 *
 * @example redactText('GET https://bob:pw@x.example/?token=abc failed') // 'GET https://x.example/?token=*** failed'
 */
export function redactText(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1')
    .replace(/\b((?:access_|refresh_)?token|secret|password|api[_-]?key)=([^\s&]+)/gi, '$1=***');
}

/**
 * A short, printable excerpt of a response body: the `<title>` of an HTML page when it has one,
 * else the text without tags, whitespace collapsed, cut at `max` characters.
 */
export function bodyExcerpt(text: string, max = 120): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  const source = title ?? text.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]*>/g, ' ');
  // Control characters make a log line lie about where it ends.
  const flat = source
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
