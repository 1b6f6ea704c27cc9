/**
 * `${VAR}` substitution for integration files, so that a file never holds a secret.
 *
 * `${VAR}` takes the variable's value, `${VAR:-default}` falls back when it is unset or empty (as in
 * a shell), and `$${` writes a literal `${`. Substitution works on a parsed YAML scalar, never on the
 * file's text, so a value from the environment can never change the document's structure.
 *
 * @example
 * substituteEnv('Bearer ${TOKEN}', { TOKEN: 'abc' });      // { value: 'Bearer abc', missing: [], used: ['TOKEN'] }
 * substituteEnv('${PORT:-8080}', {});                       // { value: '8080', missing: [], used: ['PORT'] }
 * substituteEnv('price $${AMOUNT}', {});                    // { value: 'price ${AMOUNT}', missing: [], used: [] }
 */

export interface SubstitutionResult {
  readonly value: string;
  /** Variables that were referenced without a default and are not set. */
  readonly missing: readonly string[];
  /** Every variable referenced, set or not. */
  readonly used: readonly string[];
  /** True when the whole text was exactly one `${...}` reference (so its type may be inferred). */
  readonly whole: boolean;
}

/** Matches `$${` (an escape) or `${NAME}` / `${NAME:-default}`. */
const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): SubstitutionResult {
  const missing: string[] = [];
  const used: string[] = [];
  let references = 0;
  const value = text.replace(reference, function replaceReference(match: string, name: string | undefined, fallback: string | undefined) {
    if (match === '$${') return '${';
    references++;
    const variable = name ?? '';
    used.push(variable);
    const set = env[variable];
    if (set !== undefined && set !== '') return set;
    if (fallback !== undefined) return fallback;
    if (set === '') return '';
    missing.push(variable);
    return '';
  });
  const whole = references === 1 && /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/.test(text);
  return { value, missing, used, whole };
}

/** True when the text holds a `${` reference that substitution would replace. */
export function hasReference(text: string): boolean {
  reference.lastIndex = 0;
  for (const match of text.matchAll(reference)) if (match[0] !== '$${') return true;
  return false;
}

/** Escapes `${` as `$${` so that exported text reads back as the same value. */
export function escapeReferences(text: string): string {
  return text.replaceAll('${', () => '$${');
}
