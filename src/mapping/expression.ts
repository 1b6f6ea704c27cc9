/**
 * JSONata expressions of a mapping: parsed once, and read for what they use.
 *
 * The reading (which record fields an expression names, whether it calls `$organization` or
 * `$device`, which unknown functions or variables it mentions) lets validation name a misspelt field
 * with its position, lets the engine order custom fields and fetch organisations or devices only
 * when some expression needs them. It is conservative: a name it cannot place is left alone rather
 * than reported.
 *
 * @example
 * const parsed = parseExpression("$organization(organizationId).name");
 * if (parsed.ok) analyseExpression(parsed.ast, parsed.source).usesOrganization; // true
 */
import jsonata from 'jsonata';

import { closestName } from './suggest.ts';

export type JsonataExpression = ReturnType<typeof jsonata>;
export type ExpressionNode = ReturnType<JsonataExpression['ast']>;

/** Functions the mapping binds for every evaluation, beside JSONata's own. */
export const boundFunctions = ['organization', 'device'] as const;

/** JSONata 2's built-in functions (its static frame, plus `$now` and `$millis`). */
const builtinFunctions = new Set([
  'sum',
  'count',
  'max',
  'min',
  'average',
  'string',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'length',
  'trim',
  'pad',
  'match',
  'contains',
  'replace',
  'split',
  'join',
  'formatNumber',
  'formatBase',
  'formatInteger',
  'parseInteger',
  'number',
  'floor',
  'ceil',
  'round',
  'abs',
  'sqrt',
  'power',
  'random',
  'boolean',
  'not',
  'map',
  'zip',
  'filter',
  'single',
  'reduce',
  'sift',
  'keys',
  'lookup',
  'append',
  'exists',
  'spread',
  'merge',
  'reverse',
  'each',
  'error',
  'assert',
  'type',
  'sort',
  'shuffle',
  'distinct',
  'base64encode',
  'base64decode',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
  'eval',
  'toMillis',
  'fromMillis',
  'clone',
  'now',
  'millis',
]);
const knownFunctions: readonly string[] = [...builtinFunctions, ...boundFunctions];

export type ParseResult =
  | { readonly ok: true; readonly source: string; readonly expression: JsonataExpression; readonly ast: ExpressionNode }
  | { readonly ok: false; readonly message: string; readonly position: number | undefined };

/** A JSONata error is a plain object with `code`, `position` and `message`, not always an Error. */
export function jsonataErrorParts(error: unknown): { message: string; position: number | undefined; code: string | undefined } {
  if (typeof error === 'object' && error !== null) {
    const e = error as { message?: unknown; position?: unknown; code?: unknown };
    return {
      message: typeof e.message === 'string' ? e.message : 'the expression failed',
      position: typeof e.position === 'number' ? e.position : undefined,
      code: typeof e.code === 'string' ? e.code : undefined,
    };
  }
  return { message: String(error), position: undefined, code: undefined };
}

/**
 * How long one evaluation may run. A mapping expression takes microseconds per record; this only
 * stops a non-terminating one (a recursive lambda) from hanging the run: the record fails with
 * JSONata's D1012 "Evaluation timeout" and the run goes on.
 */
export const evaluationTimeoutMs = 1000;

export function parseExpression(source: string): ParseResult {
  try {
    const expression = jsonata(source, { timeout: evaluationTimeoutMs });
    return { ok: true, source, expression, ast: expression.ast() };
  } catch (error) {
    const { message, position } = jsonataErrorParts(error);
    return { ok: false, message, position };
  }
}

export interface NameUse {
  readonly name: string;
  /** Offset of the name's first character in the expression. */
  readonly position: number;
}

export interface ExpressionAnalysis {
  /** Names read from the record itself (the input), e.g. firstName in `firstName & ' ' & lastName`. */
  readonly rootNames: readonly NameUse[];
  /** `$x` or `$f()` that is neither built in, bound by the mapping nor assigned in the expression. */
  readonly unknownVariables: readonly (NameUse & { readonly called: boolean; readonly suggestion: string | undefined })[];
  readonly usesOrganization: boolean;
  readonly usesDevice: boolean;
  /** Reads the whole input (`$` at the top, `$$`), so it may see any field. */
  readonly usesWholeInput: boolean;
}

/** A node read loosely: JSONata's typings miss node types such as `path` and `bind`. */
interface Node {
  readonly type: string;
  readonly value?: unknown;
  readonly position?: number;
  readonly [key: string]: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Every node object under `value`, whatever property holds it. */
function eachNode(value: unknown, visit: (node: Node) => void, seen = new Set<unknown>()): void {
  if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof RegExp) return;
  seen.add(value);
  if (isNode(value)) visit(value);
  for (const child of Array.isArray(value) ? value : Object.values(value)) eachNode(child, visit, seen);
}

/** JSONata positions point just past a token; turn one into the token's start. */
function startOf(source: string, end: number, token: string): number {
  const plain = end - token.length;
  if (source.slice(plain, end) === token) return plain;
  return Math.max(0, plain - 2); // a `backticked` name
}

// Properties whose expressions run against each item of a step, not against the record.
const perItemKeys = new Set(['stages', 'predicate', 'group']);

function collectRootNames(node: Node, source: string, atRoot: boolean, out: NameUse[]): void {
  if (node.type === 'path' && Array.isArray(node.steps)) {
    const steps = node.steps as Node[];
    const [first, second] = steps;
    let rest = 1;
    if (first?.type === 'name') {
      if (atRoot) out.push({ name: String(first.value), position: startOf(source, first.position ?? 0, String(first.value)) });
      visitChildren(first, source, false, out);
    } else if (first?.type === 'variable' && (first.value === '$' || (first.value === '' && atRoot)) && second?.type === 'name') {
      out.push({ name: String(second.value), position: startOf(source, second.position ?? 0, String(second.value)) });
      visitChildren(second, source, false, out);
      rest = 2;
    } else if (first) {
      collectRootNames(first, source, atRoot, out);
    }
    for (const step of steps.slice(rest)) collectRootNames(step, source, false, out);
    for (const [key, child] of Object.entries(node)) if (key !== 'steps') visitValue(child, source, false, out);
    return;
  }
  if (node.type === 'name') {
    if (atRoot) out.push({ name: String(node.value), position: startOf(source, node.position ?? 0, String(node.value)) });
    visitChildren(node, source, false, out);
    return;
  }
  visitChildren(node, source, atRoot, out);
}

function visitChildren(node: Node, source: string, atRoot: boolean, out: NameUse[]): void {
  for (const [key, child] of Object.entries(node)) visitValue(child, source, atRoot && !perItemKeys.has(key), out);
}

function visitValue(value: unknown, source: string, atRoot: boolean, out: NameUse[]): void {
  if (Array.isArray(value)) for (const item of value) visitValue(item, source, atRoot, out);
  else if (isNode(value)) collectRootNames(value, source, atRoot, out);
  else if (typeof value === 'object' && value !== null && !(value instanceof RegExp)) {
    for (const child of Object.values(value)) visitValue(child, source, atRoot, out);
  }
}

/** What an expression reads and calls; see the module comment. */
export function analyseExpression(ast: ExpressionNode, source: string): ExpressionAnalysis {
  const rootNames: NameUse[] = [];
  collectRootNames(ast as unknown as Node, source, true, rootNames);

  const assigned = new Set<string>();
  const calls = new Set<Node>();
  eachNode(ast, (node) => {
    if (node.type === 'bind' && isNode(node.lhs) && node.lhs.type === 'variable') assigned.add(String(node.lhs.value));
    if (node.type === 'lambda' && Array.isArray(node.arguments))
      for (const arg of node.arguments as Node[]) assigned.add(String(arg.value));
    // `step#$i` and `step@$x` bind variables on the step itself.
    if (typeof node.index === 'string') assigned.add(node.index);
    if (typeof node.focus === 'string') assigned.add(node.focus);
    if (node.type === 'function' || node.type === 'partial') if (isNode(node.procedure)) calls.add(node.procedure);
  });

  let usesOrganization = false;
  let usesDevice = false;
  let usesWholeInput = false;
  const unknownVariables: (NameUse & { called: boolean; suggestion: string | undefined })[] = [];
  eachNode(ast, (node) => {
    if (node.type !== 'variable') return;
    const name = String(node.value);
    if (name === 'organization') usesOrganization = true;
    else if (name === 'device') usesDevice = true;
    // `$` is the record at the top and an item inside a predicate; either way, count it.
    else if (name === '$' || name === '') usesWholeInput = true;
    else if (!builtinFunctions.has(name) && !assigned.has(name)) {
      const called = calls.has(node);
      const suggestion = called ? closestName(name, knownFunctions) : undefined;
      unknownVariables.push({ name, position: startOf(source, node.position ?? 0, name) - 1, called, suggestion });
    }
  });
  return { rootNames, unknownVariables, usesOrganization, usesDevice, usesWholeInput };
}
