/**
 * Loads an integration file: YAML, then `${VAR}` substitution from the environment, then the schema,
 * then the mapping rules. Every problem found is returned with its path and its line, so
 * `ninja-sync validate` can list them all at once instead of one per attempt.
 *
 * Substitution runs on parsed scalars, not on the text: a value from the environment cannot add
 * keys, and positions stay those of the file the person wrote. Secrets (client secret, refresh
 * token, API token) never appear in a problem's message, whatever is wrong with them.
 *
 * @example
 * const result = await loadIntegrationFile('examples/ninjaone-users.yaml', { env: process.env });
 * if (!result.ok) for (const p of result.problems) console.error(`${p.line}:${p.column} ${p.path} ${p.message}`);
 */
import { readFile, stat } from 'node:fs/promises';
import { type Alias, type Document, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit } from 'yaml';

import { secretScrubber } from '../http/redact.ts';
import { validateMapping, type ValidateOptions } from '../mapping/validate.ts';
import { substituteEnv } from './env-substitution.ts';
import { fileRunProblems } from './file-run.ts';
import { type Integration, integrationSchema } from './schema.ts';
import { schemaProblems } from './schema-problems.ts';
import { maxYamlAliasCount, maxYamlChars, yamlLimitProblem } from './yaml-limits.ts';
import { formatPath, locate, position } from './yaml-locate.ts';

export interface IntegrationProblem {
  /** Dotted path in the document, e.g. `source.clientSecret` or `filters[1].op`; '' for the whole file. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export type LoadResult =
  | { readonly ok: true; readonly integration: Integration; readonly problems: readonly IntegrationProblem[] }
  | { readonly ok: false; readonly integration: null; readonly problems: readonly IntegrationProblem[] };

export interface LoadOptions {
  /** Where `${VAR}` values come from; pass `process.env` in the CLI. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What the mapping is checked against, e.g. the Oomnitza instance's own users fields. */
  readonly mapping?: ValidateOptions;
  /**
   * For a file imported into the server: when it says `installation: local`, its `${VAR}` references
   * under source and destination are its agent's to resolve (the agent holds those secrets), so they
   * stay as written instead of being looked up in `env`.
   */
  readonly agentResolvesLocal?: boolean;
  /**
   * The file is to be run by `ninja-sync run`, which reads no server: a stored credential or
   * connection name, or a missing NinjaOne or Oomnitza setting, is a problem too (`file-run.ts`).
   * A Local file whose settings its agent resolves is not checked for this.
   */
  readonly fileRun?: boolean;
}

/** Keys whose values are secrets: never echoed, never exported. */
export const secretKeys: ReadonlySet<string> = new Set(['clientSecret', 'refreshToken', 'apiToken']);

export async function loadIntegrationFile(file: string, options: LoadOptions): Promise<LoadResult> {
  let text: string;
  try {
    const size = (await stat(file)).size;
    if (size > maxYamlChars * 4) {
      return fail(
        [{ path: '', line: 1, column: 1, message: `the file has ${size} bytes; an integration file may have at most ${maxYamlChars}` }],
        [],
      );
    }
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? 'unreadable');
    return {
      ok: false,
      integration: null,
      problems: [
        {
          path: '',
          message: `cannot read the integration file (${why}); pass the path of a YAML file, e.g. --config examples/ninjaone-users.yaml`,
        },
      ],
    };
  }
  return loadIntegrationText(text, options);
}

export function loadIntegrationText(text: string, options: LoadOptions): LoadResult {
  const lineCounter = new LineCounter();
  const tooBig = yamlLimitProblem(text);
  if (tooBig) {
    lineCounter.addNewLine(0);
    for (const char of text.slice(0, tooBig.offset).matchAll(/\n/g)) lineCounter.addNewLine(char.index + 1);
    return fail([{ path: '', ...position(lineCounter, tooBig.offset), message: `YAML: ${tooBig.message}` }], []);
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: IntegrationProblem[] = [];

  for (const error of [...doc.errors, ...doc.warnings]) {
    const at = position(lineCounter, error.pos[0]);
    problems.push({ path: '', line: at.line, column: at.column, message: `YAML: ${error.message}` });
  }
  if (doc.errors.length > 0) return fail(problems, []);
  if (!isMap(doc.contents)) {
    return fail(
      [
        {
          path: '',
          line: 1,
          column: 1,
          message:
            'the file must be a YAML mapping with name, source, destination, syncKeys and mapping (see examples/ninjaone-users.yaml)',
        },
      ],
      [],
    );
  }

  const secrets: string[] = [];
  const unresolved = new Set<string>();
  // A Local file's connection settings are resolved on its agent, never here.
  const agentsOwn =
    options.agentResolvesLocal === true && doc.get('installation') === 'local'
      ? (path: readonly (string | number)[]) => path[0] === 'source' || path[0] === 'destination'
      : () => false;
  substituteDocument(doc, lineCounter, options.env, problems, secrets, unresolved, agentsOwn);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: maxYamlAliasCount });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    // The yaml library refuses alias expansion past maxAliasCount ("billion laughs").
    const alias = firstAlias(doc);
    const at = alias?.range ? position(lineCounter, alias.range[0]) : { line: 1, column: 1 };
    return fail(
      [
        {
          path: '',
          ...at,
          message: `YAML: the aliases (*name) expand into too many values; write the values out instead (${error.message})`,
        },
      ],
      secrets,
    );
  }
  // reportInput: a value of the wrong type is told apart from a missing one ("expected a list, found
  // a string", not "required"); schemaProblems names only the value's kind, never the value.
  const parsed = integrationSchema.safeParse(data, { reportInput: true });
  let shapeProblems = 0;
  if (!parsed.success) {
    for (const problem of schemaProblems(integrationSchema, parsed.error.issues)) {
      const path = formatPath(problem.key === undefined ? problem.path : [...problem.path, problem.key]);
      if (unresolved.has(path)) continue; // already reported as a missing variable
      const at = locate(doc, lineCounter, problem.path, problem.key);
      problems.push({ path, ...(at ? { line: at.line, column: at.column } : {}), message: problem.message });
      shapeProblems += 1;
    }
  }
  // Every problem in one pass: a variable that is not set does not hide the mapping's problems.
  // The document is checked further with the unset values left out, when that is all that is wrong.
  const candidate = parsed.success ? parsed.data : shapeProblems === 0 ? withoutUnresolved(data, unresolved) : null;
  if (candidate === null) return fail(problems, secrets);

  if (options.fileRun === true && !(options.agentResolvesLocal === true && candidate.installation === 'local')) {
    for (const problem of fileRunProblems(candidate)) {
      const where = problem.missing === undefined ? problem.path : [...problem.path, problem.missing];
      // A setting from a variable that is not set is reported once, as the variable.
      if (unresolved.has(formatPath(where))) continue;
      const at = locate(doc, lineCounter, problem.path, problem.missing);
      problems.push({ path: formatPath(where), ...(at ? { line: at.line, column: at.column } : {}), message: problem.message(at?.line) });
    }
  }

  for (const problem of validateMapping(candidate, options.mapping ?? {})) {
    const segments = splitPath(problem.path);
    const at = locate(doc, lineCounter, segments);
    const shift = problem.position !== undefined && at ? expressionOffset(doc, segments, problem.position) : 0;
    problems.push({
      path: formatPath(segments),
      ...(at ? { line: at.line, column: at.column + shift } : {}),
      message: problem.message,
    });
  }
  if (problems.length > 0 || !parsed.success) return fail(problems, secrets);
  return { ok: true, integration: parsed.data, problems: [] };
}

/** Sections whose values the mapping checks read: one left out there would be a problem of its own making. */
const mappingSections = new Set(['mapping', 'customFields', 'filters', 'syncKeys']);

/**
 * The document without the values whose variables are not set, parsed again; null when it still
 * does not parse, or when a value left out is one the mapping checks would read.
 */
function withoutUnresolved(data: unknown, unresolved: ReadonlySet<string>): Integration | null {
  if (unresolved.size === 0) return null;
  if ([...unresolved].some((path) => mappingSections.has(String(splitPath(path)[0])))) return null;
  const copy = structuredClone(data) as Record<string, unknown>;
  for (const path of unresolved) {
    const segments = splitPath(path);
    const last = segments.pop();
    let node: unknown = copy;
    for (const segment of segments) node = (node as Record<string | number, unknown> | undefined)?.[segment];
    if (node !== null && typeof node === 'object' && last !== undefined) delete (node as Record<string | number, unknown>)[last];
  }
  const again = integrationSchema.safeParse(copy);
  return again.success ? again.data : null;
}

/** Replaces `${VAR}` in every string scalar, recording missing variables and secret values. */
function substituteDocument(
  doc: Document,
  lineCounter: LineCounter,
  env: LoadOptions['env'],
  problems: IntegrationProblem[],
  secrets: string[],
  unresolved: Set<string>,
  agentsOwn: (path: readonly (string | number)[]) => boolean,
): void {
  function walk(node: unknown, path: (string | number)[]): void {
    if (agentsOwn(path)) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    } else if (isScalar(node)) {
      const isSecret = secretKeys.has(String(path[path.length - 1]));
      if (typeof node.value !== 'string') {
        if (isSecret && (typeof node.value === 'number' || typeof node.value === 'boolean')) secrets.push(String(node.value));
        return;
      }
      const result = substituteEnv(node.value, env);
      if (isSecret) secrets.push(result.value);
      const at = node.range ? position(lineCounter, node.range[0]) : null;
      for (const variable of result.missing) {
        const where = formatPath(path);
        unresolved.add(where);
        problems.push({
          path: where,
          ...(at ? { line: at.line, column: at.column } : {}),
          message: `environment variable ${variable} is not set; set it, or give a default as \${${variable}:-value}`,
        });
      }
      node.value = result.whole && node.type === Scalar.PLAIN ? inferScalar(result.value) : result.value;
    }
  }
  walk(doc.contents, []);
}

/** The first alias node of the document, where an alias-expansion problem is reported. */
function firstAlias(doc: Document): Alias | null {
  let found: Alias | null = null;
  visit(doc, {
    Alias(_key, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** A whole-value, unquoted `${VAR}` takes the type its text would have had in YAML (true, 42). */
function inferScalar(text: string): string | number | boolean | null {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Column shift of a position inside an expression scalar: past the opening quote, if any. */
function expressionOffset(doc: Document, path: readonly (string | number)[], offset: number): number {
  const node = doc.getIn(path, true);
  if (!isScalar(node)) return 0;
  if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) return offset + 1;
  if (node.type === Scalar.PLAIN) return offset;
  return 0; // a block scalar: the line is the right place to look
}

function splitPath(path: string | readonly (string | number)[]): (string | number)[] {
  if (typeof path !== 'string') return [...path];
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments;
}

/** Problems in file order (a problem without a line first), each message scrubbed of secrets. */
function fail(problems: readonly IntegrationProblem[], secrets: readonly string[]): LoadResult {
  const ordered = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  // Belt and braces: no message may carry a secret's value, whatever produced it.
  const scrub = secretScrubber(secrets);
  return { ok: false, integration: null, problems: ordered.map((p) => ({ ...p, message: scrub(p.message) })) };
}
