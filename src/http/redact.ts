/**
 * Keeps secrets out of error messages. Collects the secret values a request carries (auth headers,
 * token-like form fields) and replaces them anywhere in a text, and cuts response bodies down to a
 * short, single-line excerpt so an HTML error page never floods a log.
 *
 * @example
 * const scrub = secretScrubber(['tok_123']);
 * scrub('bad token tok_123'); // 'bad token [redacted]'
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
