/**
 * A synchronous shortcut for the simplest JSONata expressions, so that a mapping such as
 * `firstName & ' ' & lastName` or `$organization(organizationId).name` costs no JSONata
 * evaluation (an async call of several microseconds) per record.
 *
 * It covers a small subset of JSONata — field names and `a.b` paths, string, number and boolean
 * literals, `&`, `=`, `!=`, `and`, `or`, `? :`, `$organization(x)` / `$device(x)` followed by
 * names, `$lowercase`, `$uppercase`, `$trim`, `$string`, `$contains(text, 'part')` and
 * `$join([a, b], 'sep')` — and only for scalar values (text, safe integers, booleans, absent). Whenever a record
 * holds anything else (a list, an object, null, a fraction), the shortcut answers `bail` and the
 * caller evaluates the expression with JSONata itself, so results never differ from JSONata's
 * (`fast-path.test.ts` checks this against JSONata on awkward inputs).
 *
 * @example
 * const fast = compileFastPath(jsonata("firstName & ' ' & lastName").ast());
 * fast?.({ read: (name) => ({ firstName: 'Ada' })[name] }, lookups); // 'Ada '
 */
import type { ExpressionNode } from './expression.ts';

/** Returned when a value is outside the subset: evaluate with JSONata instead. */
export const bail: unique symbol = Symbol('bail');

/** The record as JSONata sees it: `read(name)` gives undefined for null and absent alike. */
export interface FieldReader {
  read(name: string): unknown;
}

export interface Lookups {
  readonly organization: (id: unknown) => unknown;
  readonly device: (id: unknown) => unknown;
}

export type FastEvaluator = (read: FieldReader, lookups: Lookups) => unknown;

interface Node {
  readonly type: string;
  readonly value?: unknown;
  readonly [key: string]: unknown;
}

type Compiled = FastEvaluator;

/** A node carries nothing beyond the listed keys (no predicates, stages, focus or grouping). */
function plain(node: Node, ...allowed: string[]): boolean {
  return Object.entries(node).every(
    ([key, value]) => value === undefined || key === 'type' || key === 'position' || key === 'value' || allowed.includes(key),
  );
}

function isScalar(value: unknown): boolean {
  return (
    value === undefined ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < 1e15)
  );
}

/** JSONata's `$string` for the scalars of the subset; `&` treats absent as ''. */
function concatText(value: unknown): string | typeof bail {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return bail;
}

/** JSONata's boolean cast for the scalars of the subset. */
function truthy(value: unknown): boolean | typeof bail {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  return bail;
}

function compileStep(step: Node): ((current: unknown, read: FieldReader, lookups: Lookups, first: boolean) => unknown) | undefined {
  if (step.type === 'name' && plain(step)) {
    const name = String(step.value);
    return (current, read, _lookups, first) => {
      if (first) return read.read(name);
      if (current === undefined) return undefined;
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return bail;
      return (current as Record<string, unknown>)[name];
    };
  }
  if (step.type === 'function' && plain(step, 'arguments', 'procedure')) {
    const procedure = step.procedure as Node | undefined;
    const args = step.arguments as Node[] | undefined;
    const which = procedure?.type === 'variable' ? procedure.value : undefined;
    if ((which !== 'organization' && which !== 'device') || args?.length !== 1 || args[0] === undefined) return undefined;
    const arg = compileNode(args[0]);
    if (!arg) return undefined;
    return (_current, read, lookups, first) => {
      if (!first) return bail;
      const id = arg(read, lookups);
      if (id === undefined) return undefined;
      if (typeof id !== 'number') return bail;
      return which === 'organization' ? lookups.organization(id) : lookups.device(id);
    };
  }
  return undefined;
}

function compilePath(node: Node): Compiled | undefined {
  const steps = node.steps as Node[] | undefined;
  if (!plain(node, 'steps') || !steps || steps.length === 0) return undefined;
  const compiled = steps.map(compileStep);
  if (compiled.some((s) => s === undefined)) return undefined;
  const run = compiled as NonNullable<(typeof compiled)[number]>[];
  return (read, lookups) => {
    let current: unknown;
    for (let i = 0; i < run.length; i++) {
      current = (run[i] as (typeof run)[number])(current, read, lookups, i === 0);
      if (current === bail) return bail;
      // Only the last value may be a scalar; objects are walked, anything else goes to JSONata.
      if (i < run.length - 1 && current !== undefined && (typeof current !== 'object' || current === null || Array.isArray(current)))
        return bail;
    }
    return isScalar(current) ? current : bail;
  };
}

function compileBinary(node: Node): Compiled | undefined {
  const lhs = compileNode(node.lhs as Node);
  const rhs = compileNode(node.rhs as Node);
  if (!lhs || !rhs || !plain(node, 'lhs', 'rhs')) return undefined;
  switch (node.value) {
    case '&':
      return (read, lookups) => {
        const a = concatText(lhs(read, lookups));
        if (a === bail) return bail;
        const b = concatText(rhs(read, lookups));
        return b === bail ? bail : a + b;
      };
    case '=':
    case '!=': {
      const equal = node.value === '=';
      return (read, lookups) => {
        const a = lhs(read, lookups);
        const b = rhs(read, lookups);
        if (a === bail || b === bail) return bail;
        if (a === undefined || b === undefined) return false;
        return equal ? a === b : a !== b;
      };
    }
    case 'and':
    case 'or': {
      const isAnd = node.value === 'and';
      return (read, lookups) => {
        const a = truthy(lhs(read, lookups));
        if (a === bail) return bail;
        if (isAnd ? !a : a) return a;
        return truthy(rhs(read, lookups));
      };
    }
    default:
      return undefined;
  }
}

/** JSONata's `$trim`: runs of spaces, tabs and newlines become one space, then the ends go. */
function jsonataTrim(text: string): string {
  let result = text.replace(/[ \t\n\r]+/gm, ' ');
  if (result.startsWith(' ')) result = result.substring(1);
  if (result.endsWith(' ')) result = result.substring(0, result.length - 1);
  return result;
}

const textFunctions: Readonly<Record<string, (text: string) => string>> = {
  lowercase: (text) => text.toLowerCase(),
  uppercase: (text) => text.toUpperCase(),
  trim: jsonataTrim,
};

/** `$join([a, b, …], 'sep')`: the items of an array constructor, absent ones left out. */
function compileJoin(args: readonly Node[]): Compiled | undefined {
  const [list, separator] = args;
  if (!list || list.type !== 'unary' || list.value !== '[' || !plain(list, 'expressions') || args.length > 2) return undefined;
  if (separator !== undefined && (separator.type !== 'string' || !plain(separator))) return undefined;
  const sep = separator === undefined ? '' : String(separator.value);
  const items = (list.expressions as Node[]).map(compileNode);
  if (items.some((item) => item === undefined)) return undefined;
  const run = items as Compiled[];
  return (read, lookups) => {
    const parts: string[] = [];
    for (const item of run) {
      const value = item(read, lookups);
      if (value === undefined) continue;
      if (typeof value !== 'string') return bail;
      parts.push(value);
    }
    return parts.join(sep);
  };
}

function compileFunction(node: Node): Compiled | undefined {
  const procedure = node.procedure as Node | undefined;
  const args = (node.arguments as Node[] | undefined) ?? [];
  if (procedure?.type !== 'variable' || !plain(node, 'arguments', 'procedure')) return undefined;
  const name = String(procedure.value);
  if (name === 'organization' || name === 'device') return compilePath({ type: 'path', steps: [node] });
  if (name === 'join') return compileJoin(args);
  const compiled = args.map(compileNode);
  if (compiled.some((arg) => arg === undefined)) return undefined;
  const [first, second] = compiled as Compiled[];
  const textFunction = textFunctions[name];
  if (textFunction && first && compiled.length === 1) {
    return (read, lookups) => {
      const value = first(read, lookups);
      if (value === undefined) return undefined;
      return typeof value === 'string' ? textFunction(value) : bail;
    };
  }
  if (name === 'string' && first && compiled.length === 1) {
    return (read, lookups) => {
      const value = first(read, lookups);
      return value === bail || value === undefined || typeof value === 'string' ? value : concatText(value);
    };
  }
  if (name === 'contains' && first && second && compiled.length === 2) {
    return (read, lookups) => {
      // JSONata checks every argument against the signature before it calls the function.
      const text = first(read, lookups);
      const part = second(read, lookups);
      if (typeof part !== 'string') return bail;
      if (text === undefined) return undefined;
      return typeof text === 'string' ? text.includes(part) : bail;
    };
  }
  return undefined;
}

function compileNode(node: Node | undefined): Compiled | undefined {
  if (!node || typeof node !== 'object') return undefined;
  switch (node.type) {
    case 'string':
    case 'number': {
      const value = node.value;
      return plain(node) && isScalar(value) ? () => value : undefined;
    }
    case 'value': {
      const value = node.value;
      return plain(node) && typeof value === 'boolean' ? () => value : undefined;
    }
    case 'path':
      return compilePath(node);
    case 'binary':
      return compileBinary(node);
    case 'function':
      return compileFunction(node);
    case 'condition': {
      const test = compileNode(node.condition as Node);
      const then = compileNode(node.then as Node);
      const otherwise = node.else === undefined ? () => undefined : compileNode(node.else as Node);
      if (!test || !then || !otherwise || !plain(node, 'condition', 'then', 'else')) return undefined;
      return (read, lookups) => {
        const t = truthy(test(read, lookups));
        if (t === bail) return bail;
        return t ? then(read, lookups) : otherwise(read, lookups);
      };
    }
    default:
      return undefined;
  }
}

/** The shortcut for `ast`, or undefined when the expression is outside the subset. */
export function compileFastPath(ast: ExpressionNode): FastEvaluator | undefined {
  return compileNode(ast as unknown as Node);
}
