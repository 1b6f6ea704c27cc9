/**
 * The mapping engine: an integration's custom fields, filters and target fields compiled once into
 * a function from a source user (`source-record.ts`) to an Oomnitza record (or a drop with its reason).
 *
 * Per record, in this order: the source record (the 19 catalogue keys); the filters that read only
 * catalogue fields and come first (so a dropped record costs no custom field); the custom fields in
 * the order declared; the remaining filters in order; the target fields with their transforms. A
 * record is kept when every filter holds; a dropped one names the first rule that failed
 * (numbered from 1, as people count). Field rules are plain functions; expressions are parsed once
 * and evaluated per record, through the synchronous shortcut of `fast-path.ts` when they are
 * simple enough, so `mapAll` awaits only for the records that need JSONata itself.
 *
 * In expressions a null field is absent, as if the source had omitted it: `firstName & ' ' & lastName`
 * gives 'Ada ' (not 'Ada null') and `$exists(phone)` is false. `$organization(id)` and `$device(id)`
 * return the organisation or device with that id (or each of a list of ids), or nothing.
 *
 * An expression or transform that fails for one record makes that record's outcome an error; the
 * other records go on.
 *
 * This engine runs on the thread that calls it. Expressions and `matches` regexes are the user's
 * code, so the server, the CLI and the workers call it through the expression sandbox
 * (`sandbox/sandboxed-mapping.ts`), which runs it in a worker thread it can stop; calling it
 * directly is for that worker, tests and benchmarks.
 *
 * @example
 * const compiled = compileMapping(integration);
 * const outcomes = await compiled.mapAll(users, { runStartedAt: new Date(), organizations, devices });
 */
import { analyseExpression, type ExpressionAnalysis, jsonataErrorParts, type JsonataExpression, parseExpression } from './expression.ts';
import { bail, compileFastPath, type FastEvaluator, type Lookups } from './fast-path.ts';
import { compileFieldRule, describeRule } from './filters.ts';
import { recordLabel, type SourceEntity, type SourceRecord, type SourceUser, withSyncTime } from './source-record.ts';
import { applyTransforms, TransformError } from './transforms.ts';
import { type MappingProblem, validateMapping } from './validate.ts';

import type { FilterRule, Integration, Target, Transform } from '../integrations/schema.ts';

export interface MappingContext {
  readonly runStartedAt: Date;
  readonly organizations: ReadonlyMap<number, SourceEntity>;
  readonly devices: ReadonlyMap<number, SourceEntity>;
}

export interface MappedRecord {
  readonly sourceId: string;
  /** The email, else the name, else `user #id`. */
  readonly label: string;
  /** Oomnitza field → value, in the mapping's order. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The source's Roles List, which the SaaS phase turns into the SaaS user's role. */
  readonly roles: readonly string[] | null;
}

export type MapOutcome =
  | { readonly kept: true; readonly record: MappedRecord }
  | { readonly kept: false; readonly sourceId: string; readonly label: string; readonly reason: string }
  | { readonly kept: false; readonly error: true; readonly sourceId: string; readonly label: string; readonly reason: string };

/** One step of the per-record pipeline, as an error names it. */
export interface MappingStep {
  /** `custom field fullName`, `filter rule 2`, `mapping email`. */
  readonly label: string;
  /** Where it is in the document: `customFields.fullName`, `filters[1]`, `mapping.email`. */
  readonly path: string;
}

export interface MapAllOptions {
  /** Stops between records (the sandbox stops at once: it ends its worker). */
  readonly signal?: AbortSignal;
}

export interface CompileOptions {
  /**
   * Where the engine publishes what it is doing, for a watcher on another thread: slot 0 the index
   * (in the current `mapAll` call) of the record being mapped, slot 1 the index in `steps` of the
   * step running, -1 between steps. The expression sandbox names the field that overran with it.
   */
  readonly progress?: Int32Array;
}

export interface CompiledMapping {
  /** What the run must fetch besides users: only what some expression calls. */
  readonly needs: { readonly organizations: boolean; readonly devices: boolean };
  /** The Oomnitza fields the mapping writes, in its order. */
  readonly targetFields: readonly string[];
  /**
   * The targets that carry Connector Sync Time (mapped from it, or an expression reading it): the
   * planner writes them only with another change, unless the integration asks for every run.
   */
  readonly syncTimeFields: readonly string[];
  /** The steps a record goes through, in order (the `progress` step indexes point here). */
  readonly steps: readonly MappingStep[];
  /**
   * Maps on this thread only what takes bounded time: records whose every step is a plain field
   * rule, a fixed value, a field read or an expression the synchronous shortcut of `fast-path.ts`
   * answers (its subset has no loop, no recursion and no regex of the user's). The others, and
   * every record of a mapping with a step outside that, are `undefined`: map them with `mapAll`,
   * in the sandbox. Synchronous; the outcomes equal `mapAll`'s.
   */
  mapBounded(users: readonly SourceUser[], context: MappingContext): (MapOutcome | undefined)[];
  map(user: SourceUser, context: MappingContext): Promise<MapOutcome>;
  mapAll(users: readonly SourceUser[], context: MappingContext, options?: MapAllOptions): Promise<MapOutcome[]>;
}

/** The mapping has problems; `problems` lists each with its path, as `validateMapping` does. */
export class MappingValidationError extends Error {
  override readonly name = 'MappingValidationError';
  readonly problems: readonly MappingProblem[];

  constructor(problems: readonly MappingProblem[], options?: { cause?: unknown }) {
    const shown = problems
      .slice(0, 5)
      .map((p) => `${p.path.join('.')}: ${p.message}`)
      .join('; ');
    const more = problems.length > 5 ? `; and ${String(problems.length - 5)} more` : '';
    super(`the mapping has ${String(problems.length)} problem${problems.length === 1 ? '' : 's'}: ${shown}${more}`, options);
    this.problems = problems;
  }
}

/** A step failed for one record; the message names the step (custom field, rule, target). */
class RecordFailure extends Error {
  override readonly name = 'RecordFailure';
}

interface Env {
  readonly lookups: Lookups;
  readonly bindings: Record<string, unknown>;
  /** Only bounded work (see `mapBounded`): a step that would need JSONata or a regex throws `deferred`. */
  readonly bounded: boolean;
}

/** Thrown by a step in bounded mode instead of unbounded work; never seen outside this file. */
class Deferred extends Error {
  override readonly name = 'Deferred';
}
// One instance, thrown by identity: a deferred record costs no new error (and no stack trace).
const deferred = new Deferred('needs the sandbox');

/** One record in flight. Custom values sit beside the record rather than in a copy of it. */
class RecordState {
  readonly custom: Record<string, unknown> = {};
  readonly fields: Record<string, unknown> = {};
  dropReason: string | undefined;
  private input: Record<string, unknown> | undefined;

  constructor(readonly record: SourceRecord) {}

  /** A field as filters and targets see it: null when empty. */
  value(name: string, isCustom: boolean): unknown {
    return isCustom ? this.custom[name] : (this.record as unknown as Record<string, unknown>)[name];
  }

  /** A field as JSONata sees it: absent when null. A method, not a closure: one less object per record. */
  read(name: string): unknown {
    const value = Object.hasOwn(this.custom, name) ? this.custom[name] : (this.record as unknown as Record<string, unknown>)[name];
    return value === null ? undefined : value;
  }

  setCustom(name: string, value: unknown): void {
    this.custom[name] = value;
    if (this.input !== undefined) {
      if (value === null) delete this.input[name];
      else this.input[name] = value;
    }
  }

  /** The JSONata input: the record and custom values so far, without nulls. Built on first use. */
  expressionInput(): Record<string, unknown> {
    if (this.input === undefined) {
      const input: Record<string, unknown> = {};
      const record = this.record as unknown as Record<string, unknown>;
      for (const key in record) if (record[key] !== null) input[key] = record[key];
      for (const key in this.custom) if (this.custom[key] !== null) input[key] = this.custom[key];
      this.input = input;
    }
    return this.input;
  }
}

type Step = (state: RecordState, env: Env) => void | Promise<void>;

interface NamedStep extends MappingStep {
  readonly run: Step;
  /** May complete without JSONata or a regex (for some records at least). */
  readonly bounded: boolean;
}

interface CompiledExpression {
  readonly expression: JsonataExpression;
  readonly fast: FastEvaluator | undefined;
  readonly analysis: ExpressionAnalysis;
}

function compileExpression(source: string): CompiledExpression {
  const parsed = parseExpression(source);
  // validateMapping has refused unparsable expressions before we get here.
  if (!parsed.ok) throw new MappingValidationError([{ path: [], message: parsed.message }]);
  return { expression: parsed.expression, fast: compileFastPath(parsed.ast), analysis: analyseExpression(parsed.ast, source) };
}

function failure(context: string, error: unknown): RecordFailure {
  if (error instanceof RecordFailure) return error;
  if (error instanceof TransformError) return new RecordFailure(`${context}: ${error.message}`, { cause: error });
  const { message, position, code } = jsonataErrorParts(error);
  const where = position === undefined ? '' : ` (at position ${String(position)}${code === undefined ? '' : `, ${code}`})`;
  return new RecordFailure(`${context}: ${message}${where}`, { cause: error });
}

/** JSONata results may be "sequences" (arrays with extra flags); hand on plain values, null for absent. */
function plainValue(value: unknown, context: string): unknown {
  if (value === undefined) return null;
  // JSONata hands back its functions and lambdas as marked objects.
  if (
    typeof value === 'function' ||
    (typeof value === 'object' && value !== null && ('_jsonata_function' in value || '_jsonata_lambda' in value))
  )
    throw new RecordFailure(`${context}: the expression gives a function, not a value; call it`);
  return Array.isArray(value) ? Array.from(value as unknown[]) : value;
}

/**
 * Evaluates, then hands the value to `use`; synchronous when the shortcut answers. `use` is made
 * once per step, not per record, so a record costs no closure here.
 */
function evaluate(
  compiled: CompiledExpression,
  state: RecordState,
  env: Env,
  context: string,
  use: (state: RecordState, value: unknown) => void,
): void | Promise<void> {
  if (compiled.fast) {
    const value = compiled.fast(state, env.lookups);
    if (value !== bail) return use(state, plainValue(value, context));
  }
  if (env.bounded) throw deferred;
  return (compiled.expression.evaluate(state.expressionInput(), env.bindings) as Promise<unknown>).then(
    (value) => use(state, plainValue(value, context)),
    (error: unknown) => {
      throw failure(context, error);
    },
  );
}

/** JSONata's boolean cast, for `{ expr }` filter results. */
function jsonataTruthy(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some(jsonataTruthy);
  if (typeof value === 'string') return value.length > 0;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return false;
}

function filterStep(
  rule: FilterRule,
  index: number,
  customNames: ReadonlySet<string>,
): { step: Step; compiled?: CompiledExpression; needsCustom: boolean } {
  const reason = `filtered out by rule ${String(index + 1)}: ${describeRule(rule)}`;
  if ('expr' in rule) {
    const compiled = compileExpression(rule.expr);
    const context = `filter rule ${String(index + 1)} (${rule.expr})`;
    const use = (state: RecordState, value: unknown): void => {
      if (!jsonataTruthy(value)) state.dropReason = reason;
    };
    const step: Step = (state, env) => evaluate(compiled, state, env, context, use);
    const needsCustom = compiled.analysis.usesWholeInput || compiled.analysis.rootNames.some((n) => customNames.has(n.name));
    return { step, compiled, needsCustom };
  }
  const test = compileFieldRule(rule);
  const field = rule.field;
  const isCustom = customNames.has(field);
  // A user's regex may backtrack for as long as it likes: never run it in bounded mode.
  const regex = rule.op === 'matches';
  return {
    step: (state, env) => {
      if (regex && env.bounded) throw deferred;
      if (!test(state.value(field, isCustom))) state.dropReason = reason;
    },
    needsCustom: isCustom,
  };
}

function targetStep(target: string, spec: Target, customNames: ReadonlySet<string>): { step: Step; compiled?: CompiledExpression } {
  const context = `mapping ${target}`;
  if (typeof spec === 'object' && 'value' in spec) {
    const value = spec.value === '' ? null : spec.value;
    return { step: (state) => void (state.fields[target] = value) };
  }
  const transforms: readonly Transform[] = typeof spec === 'string' ? [] : (spec.transform ?? []);
  const store = (state: RecordState, value: unknown): void => {
    try {
      state.fields[target] = applyTransforms(value, transforms);
    } catch (error) {
      throw failure(context, error);
    }
  };
  if (typeof spec === 'object' && 'expr' in spec) {
    const compiled = compileExpression(spec.expr);
    return { step: (state, env) => evaluate(compiled, state, env, context, store), compiled };
  }
  const field = typeof spec === 'string' ? spec : spec.field;
  const isCustom = customNames.has(field);
  return { step: (state) => store(state, state.value(field, isCustom)) };
}

function lookupIn<T>(map: ReadonlyMap<number, T>): (id: unknown) => unknown {
  const one = (id: unknown): T | undefined => {
    if (typeof id === 'number') return map.get(id);
    if (typeof id === 'string' && /^\d+$/.test(id)) return map.get(Number(id));
    return undefined;
  };
  return (id) => (Array.isArray(id) ? id.map(one).filter((found) => found !== undefined) : one(id));
}

const environments = new WeakMap<MappingContext, Env>();
const boundedEnvironments = new WeakMap<MappingContext, Env>();

function environmentOf(context: MappingContext, bounded = false): Env {
  const cache = bounded ? boundedEnvironments : environments;
  let env = cache.get(context);
  if (env === undefined) {
    const organization = lookupIn(context.organizations);
    const device = lookupIn(context.devices);
    env = { lookups: { organization, device }, bindings: { organization, device }, bounded };
    cache.set(context, env);
  }
  return env;
}

/**
 * Compiles the mapping of `integration`; throws MappingValidationError (with `.problems`) when
 * `validateMapping` finds any problem.
 */
export function compileMapping(integration: Integration, options: CompileOptions = {}): CompiledMapping {
  const problems = validateMapping(integration);
  if (problems.length > 0) throw new MappingValidationError(problems);
  const progress = options.progress;

  const customNames = new Set(Object.keys(integration.customFields));
  const expressions: CompiledExpression[] = [];

  const customSteps: NamedStep[] = Object.entries(integration.customFields).map(([name, source]) => {
    const compiled = compileExpression(source);
    expressions.push(compiled);
    const context = `custom field ${name}`;
    const use = (state: RecordState, value: unknown): void => state.setCustom(name, value);
    return {
      run: (state, env) => evaluate(compiled, state, env, context, use),
      label: context,
      path: `customFields.${name}`,
      bounded: compiled.fast !== undefined,
    };
  });

  // Filters that read only catalogue fields and precede every other filter run before the custom
  // fields; the rest keep their order after them, so the first failing rule is the one reported.
  const leading: NamedStep[] = [];
  const trailing: NamedStep[] = [];
  for (const [index, rule] of integration.filters.entries()) {
    const { step, compiled, needsCustom } = filterStep(rule, index, customNames);
    if (compiled) expressions.push(compiled);
    const bounded = compiled ? compiled.fast !== undefined : !('op' in rule && rule.op === 'matches');
    const named = { run: step, label: `filter rule ${String(index + 1)}`, path: `filters[${String(index)}]`, bounded };
    (trailing.length === 0 && !needsCustom ? leading : trailing).push(named);
  }

  const syncTimeFields: string[] = [];
  const targetSteps = Object.entries(integration.mapping).map(([target, spec]): NamedStep => {
    const { step, compiled } = targetStep(target, spec, customNames);
    if (compiled) expressions.push(compiled);
    const reads = typeof spec === 'string' ? spec : 'field' in spec ? spec.field : null;
    if (reads === 'connectorSyncTime' || compiled?.analysis.rootNames.some((r) => r.name === 'connectorSyncTime'))
      syncTimeFields.push(target);
    return {
      run: step,
      label: `mapping ${target}`,
      path: `mapping.${target}`,
      bounded: compiled === undefined || compiled.fast !== undefined,
    };
  });

  const named = [...leading, ...customSteps, ...trailing, ...targetSteps];
  const steps: readonly Step[] = named.map((step) => step.run);
  const needs = {
    organizations: expressions.some((e) => e.analysis.usesOrganization),
    devices: expressions.some((e) => e.analysis.usesDevice),
  };

  function finish(state: RecordState): MapOutcome {
    const sourceId = String(state.record.id);
    const label = recordLabel(state.record);
    if (state.dropReason !== undefined) return { kept: false, sourceId, label, reason: state.dropReason };
    return { kept: true, record: { sourceId, label, fields: state.fields, roles: state.record.roles } };
  }

  function failed(state: RecordState, error: unknown): MapOutcome {
    const reason = error instanceof RecordFailure ? error.message : `mapping failed: ${jsonataErrorParts(error).message}`;
    return { kept: false, error: true, sourceId: String(state.record.id), label: recordLabel(state.record), reason };
  }

  function run(state: RecordState, env: Env, from: number): MapOutcome | Promise<MapOutcome> | typeof deferred {
    for (let i = from; i < steps.length; i++) {
      if (state.dropReason !== undefined) break;
      if (progress !== undefined) Atomics.store(progress, 1, i);
      let pending: void | Promise<void>;
      try {
        pending = (steps[i] as Step)(state, env);
      } catch (error) {
        if (error === deferred) return deferred;
        return failed(state, error);
      }
      if (pending !== undefined)
        return pending.then(
          () => run(state, env, i + 1) as MapOutcome | Promise<MapOutcome>, // only bounded mode defers, and it never awaits
          (error: unknown) => failed(state, error),
        );
    }
    if (progress !== undefined) Atomics.store(progress, 1, -1);
    return finish(state);
  }

  function mapOne(user: SourceUser, context: MappingContext, env: Env): MapOutcome | Promise<MapOutcome> {
    return run(new RecordState(withSyncTime(user, context.runStartedAt)), env, 0) as MapOutcome | Promise<MapOutcome>;
  }

  // Bounded mode is worth trying when every step may complete without JSONata or a regex.
  const boundedSteps = named.every((step) => step.bounded);

  return {
    needs,
    targetFields: Object.keys(integration.mapping),
    syncTimeFields: integration.writeSyncTimeEveryRun ? [] : syncTimeFields,
    steps: named.map(({ label, path }) => ({ label, path })),
    mapBounded(users, context) {
      if (!boundedSteps) return new Array<MapOutcome | undefined>(users.length).fill(undefined);
      const env = environmentOf(context, true);
      return users.map((user) => {
        const outcome = run(new RecordState(withSyncTime(user, context.runStartedAt)), env, 0);
        return outcome === deferred ? undefined : (outcome as MapOutcome);
      });
    },
    async map(user, context) {
      return mapOne(user, context, environmentOf(context));
    },
    async mapAll(users, context, mapOptions = {}) {
      const env = environmentOf(context);
      const outcomes = new Array<MapOutcome>(users.length);
      for (let i = 0; i < users.length; i++) {
        if (progress !== undefined) Atomics.store(progress, 0, i);
        const outcome = mapOne(users[i] as SourceUser, context, env);
        outcomes[i] = outcome instanceof Promise ? await outcome : outcome;
        // Only between records that awaited: a synchronous record costs no check.
        if (outcome instanceof Promise) mapOptions.signal?.throwIfAborted();
      }
      mapOptions.signal?.throwIfAborted();
      return outcomes;
    },
  };
}
