/**
 * Turns zod's issues about an integration document into problems a person can act on: the path,
 * a plain message, and "did you mean" for a misspelt key.
 *
 * Messages are built here from the issue's code, never from the input, so a secret that has the
 * wrong type or shape is never echoed back.
 *
 * @example
 * const parsed = integrationSchema.safeParse(data);
 * if (!parsed.success) problems.push(...schemaProblems(integrationSchema, parsed.error.issues));
 */
import type { z } from 'zod';

export interface SchemaProblem {
  readonly path: readonly (string | number)[];
  /** Set for an unknown key: the problem is at the key itself, not its value. */
  readonly key?: string;
  readonly message: string;
}

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

export function schemaProblems(root: Schema, issues: readonly Issue[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const issue of issues) collect(root, issue, [], problems);
  return problems;
}

function collect(root: Schema, issue: Issue, prefix: readonly (string | number)[], out: SchemaProblem[]): void {
  const path = [...prefix, ...issue.path.map(toSegment)];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(root, path);
      for (const key of issue.keys) {
        const guess = suggest(key, known);
        const hint = guess ? ` — did you mean '${guess}'?` : known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
        out.push({ path, key, message: `unknown key '${key}'${hint}` });
      }
      return;
    }
    case 'invalid_union': {
      const branch = closestBranch(issue.errors);
      if (branch) {
        for (const inner of branch) collect(root, inner, path, out);
        return;
      }
      out.push({ path, message: describeUnion(root, path) });
      return;
    }
    default:
      out.push({ path, message: describe(issue) });
  }
}

/**
 * Of a union's failed branches, the one the author most likely meant: not one that failed on the
 * value's type as a whole (a string where an object was written), and with the fewest issues.
 */
function closestBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | null {
  let best: readonly Issue[] | null = null;
  for (const branch of branches) {
    if (branch.length === 0) continue;
    if (branch.some((issue) => issue.path.length === 0 && issue.code === 'invalid_type')) continue;
    if (!best || branch.length < best.length) best = branch;
  }
  return best;
}

function describeUnion(root: Schema, path: readonly (string | number)[]): string {
  const keys = knownKeysAt(root, path);
  if (keys.length > 0) return `not a valid value here: write a name or an object with one of ${keys.map((k) => `'${k}'`).join(', ')}`;
  return 'not a valid value here';
}

function describe(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `required: expected ${article(issue.expected)}`;
      return `expected ${article(issue.expected)}, found ${kindOf(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array')
        return issue.message.startsWith('Too small') ? `must have at least ${issue.minimum} item(s)` : issue.message;
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} item(s)`;
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
    case 'invalid_format':
      // Our regexes carry a message that explains the expected form; zod's own does not echo input.
      return issue.message.startsWith('Invalid') ? `not in the expected format (${issue.format})` : issue.message;
    case 'invalid_key':
      return `invalid key: ${issue.issues.map(describe).join('; ')}`;
    case 'custom':
      return issue.message;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping (key: value lines)';
  if (expected === 'array') return 'a list';
  if (expected === 'record') return 'a mapping (key: value lines)';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return article(typeof value);
}

function toSegment(key: PropertyKey): string | number {
  return typeof key === 'number' ? key : String(key);
}

/** The keys an object schema accepts at a path, looking through optional, default and union. */
export function knownKeysAt(root: Schema, path: readonly (string | number)[]): string[] {
  let current: Schema[] = [root];
  for (const segment of path) {
    const next: Schema[] = [];
    for (const schema of current.flatMap(unwrap)) {
      const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
      if (def.type === 'object') {
        const shape = def['shape'] as Record<string, Schema>;
        const child = shape[String(segment)];
        if (child) next.push(child);
      } else if (def.type === 'record') next.push(def['valueType'] as Schema);
      else if (def.type === 'array') next.push(def['element'] as Schema);
    }
    current = next;
  }
  const keys = new Set<string>();
  for (const schema of current.flatMap(unwrap)) {
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'object') for (const key of Object.keys(def['shape'] as object)) keys.add(key);
  }
  return [...keys];
}

function unwrap(schema: Schema): Schema[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
    case 'prefault':
      return unwrap(def['innerType'] as Schema);
    case 'pipe':
      return unwrap(def['in'] as Schema);
    case 'union':
      return (def['options'] as Schema[]).flatMap(unwrap);
    default:
      return [schema];
  }
}

/** The known key closest to a misspelt one, or null when none is close enough to be a good guess. */
export function suggest(key: string, known: readonly string[]): string | null {
  const normal = (s: string) => s.toLowerCase().replaceAll(/[-_\s]/g, '');
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (normal(candidate) === normal(key)) return candidate;
    const distance = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return bestDistance <= limit ? best : null;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(row[j - 1]! + 1, previous[j]! + 1, previous[j - 1]! + cost));
    }
    previous = row;
  }
  return previous[b.length]!;
}
