/**
 * Mapping validation: every problem of an integration's custom fields, filters, mapping and sync
 * keys, each with where it is (`path`, and `position` inside an expression) and how to fix it.
 *
 * It runs on a parsed integration (the zod schema has checked the shape), never throws, and
 * collects every problem rather than stopping at the first, so `ninja-sync validate` and the UI can
 * show them all at once. `compileMapping` runs it and refuses a mapping with problems.
 *
 * "Mapped twice": YAML and JSON keys cannot repeat, so a target is mapped twice when two keys
 * differ only by case (`Email` and `email` are one Oomnitza field). A custom field named like a
 * catalogue field would hide it, and a sync key listed twice would match twice; both are refused.
 *
 * @example
 * const problems = validateMapping(integration, { oomnitzaFields: [{ name: 'email', unique: true }] });
 * for (const p of problems) console.error(`${p.path.join('.')}: ${p.message}`);
 */
import { catalogue, catalogueByKey } from './catalogue.ts';
import { convertValue, describeValue } from './convert.ts';
import { analyseExpression, parseExpression } from './expression.ts';
import { fieldRuleProblems, sourceFieldType } from './filters.ts';
import { didYouMean } from './suggest.ts';
import { transformResult, type ValueType } from './transforms.ts';

import type { Integration, Target } from '../integrations/schema.ts';
import type { TargetField } from './convert.ts';

export interface MappingProblem {
  /** Where, e.g. ['mapping', 'full_name', 'expr'] or ['filters', 0, 'value']. */
  readonly path: readonly (string | number)[];
  /** What is wrong and the fix. */
  readonly message: string;
  /** Character offset inside an expression (0-based), when the problem is in one. */
  readonly position?: number;
}

export interface ValidateOptions {
  /**
   * The Oomnitza user fields that exist (the tenant's data model), when known: `unique` marks fields
   * that may be sync keys, `editable: false` read-only ones; with `dataType` (and `options` of a
   * dropdown) a source that cannot convert into the field is a problem here, not only at run time.
   */
  readonly oomnitzaFields?: readonly (Pick<TargetField, 'name'> &
    Partial<TargetField> & { readonly unique?: boolean; readonly editable?: boolean })[];
}

type Path = readonly (string | number)[];

const catalogueKeys = catalogue.map((f) => f.key);

function problem(path: Path, message: string, position?: number): MappingProblem {
  return position === undefined ? { path, message } : { path, message, position };
}

/** Names an expression may read, and the custom fields it may not read yet (declared after it). */
interface Scope {
  readonly known: ReadonlySet<string>;
  readonly later: ReadonlyMap<string, number>;
  readonly self?: string;
  readonly references?: ReadonlyMap<string, ReadonlySet<string>>;
}

function reaches(from: string, to: string, references: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (name === to) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const next of references.get(name) ?? []) stack.push(next);
  }
  return false;
}

function expressionProblems(source: string, path: Path, scope: Scope): MappingProblem[] {
  const parsed = parseExpression(source);
  if (!parsed.ok)
    return [
      problem(
        path,
        `the expression does not parse: ${parsed.message}; check the JSONata syntax near position ${String(parsed.position ?? 0)}`,
        parsed.position,
      ),
    ];
  const analysis = analyseExpression(parsed.ast, source);
  const problems: MappingProblem[] = [];
  for (const { name, position } of analysis.rootNames) {
    if (catalogueByKey.has(name)) continue;
    if (name === scope.self) {
      problems.push(problem(path, `custom field ${name} refers to itself; compute it from other fields`, position));
    } else if (scope.later.has(name)) {
      const cycle = scope.self !== undefined && scope.references !== undefined && reaches(name, scope.self, scope.references);
      problems.push(
        problem(
          path,
          cycle
            ? `custom fields ${String(scope.self)} and ${name} refer to each other (a cycle); compute one of them from catalogue fields only`
            : `custom field ${name} is declared after ${String(scope.self)}; custom fields are computed in order, so move ${name} above it`,
          position,
        ),
      );
    } else if (!scope.known.has(name)) {
      problems.push(
        problem(
          path,
          `unknown source field '${name}'.${didYouMean(name, scope.known)} Source fields are the catalogue keys (e.g. firstName, email, roles) and the custom fields`,
          position,
        ),
      );
    }
  }
  for (const v of analysis.unknownVariables) {
    if (v.called) {
      problems.push(
        problem(
          path,
          `unknown function $${v.name}.${v.suggestion === undefined ? '' : ` Did you mean $${v.suggestion}?`} Use a JSONata function, $organization(id) or $device(id)`,
          v.position,
        ),
      );
    } else {
      const field = didYouMean(v.name, scope.known);
      problems.push(
        problem(
          path,
          field === ''
            ? `unknown variable $${v.name}; assign it first, e.g. ($${v.name} := …; …)`
            : `unknown variable $${v.name}: record fields are written without $.${field}`,
          v.position,
        ),
      );
    }
  }
  return problems;
}

function customFieldProblems(customFields: Readonly<Record<string, string>>, known: Set<string>): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const names = Object.keys(customFields);
  const references = new Map<string, Set<string>>();
  for (const [name, source] of Object.entries(customFields)) {
    const parsed = parseExpression(source);
    if (parsed.ok)
      references.set(
        name,
        new Set(
          analyseExpression(parsed.ast, source)
            .rootNames.map((n) => n.name)
            .filter((n) => n in customFields),
        ),
      );
  }
  const seenLower = new Map<string, string>();
  names.forEach((name, index) => {
    const path = ['customFields', name];
    const field = catalogueByKey.get(name) ?? catalogue.find((f) => f.key.toLowerCase() === name.toLowerCase());
    if (field)
      problems.push(
        problem(
          path,
          `custom field ${name} has the name of the catalogue field ${field.key} (${field.label}) and would hide it; rename it, e.g. ${name}Custom`,
        ),
      );
    const earlier = seenLower.get(name.toLowerCase());
    if (earlier !== undefined) problems.push(problem(path, `custom fields ${earlier} and ${name} differ only by case; rename one of them`));
    seenLower.set(name.toLowerCase(), name);
    const later = new Map(names.slice(index + 1).map((n, i) => [n, index + 1 + i]));
    const source = customFields[name] ?? '';
    problems.push(...expressionProblems(source, path, { known, later, self: name, references }));
    known.add(name);
  });
  return problems;
}

function sourceFieldProblem(field: string, path: Path, known: ReadonlySet<string>): MappingProblem[] {
  if (known.has(field)) return [];
  return [
    problem(
      path,
      `unknown source field '${field}'.${didYouMean(field, known)} Source fields are the catalogue keys (e.g. firstName, email, roles) and the custom fields`,
    ),
  ];
}

function targetProblems(target: string, spec: Target, known: ReadonlySet<string>): MappingProblem[] {
  const path = ['mapping', target];
  if (typeof spec === 'string') return sourceFieldProblem(spec, path, known);
  if ('value' in spec) return [];
  const problems: MappingProblem[] = [];
  let type: ValueType = 'unknown';
  if ('field' in spec) {
    const fieldProblems = sourceFieldProblem(spec.field, [...path, 'field'], known);
    problems.push(...fieldProblems);
    if (fieldProblems.length > 0) return problems;
    type = sourceFieldType(spec.field);
  } else {
    problems.push(...expressionProblems(spec.expr, [...path, 'expr'], { known, later: new Map() }));
  }
  (spec.transform ?? []).forEach((transform, index) => {
    const result = transformResult(type, transform);
    if (result.ok) type = result.type;
    else {
      problems.push(problem([...path, 'transform', index], result.message));
      type = 'unknown';
    }
  });
  return problems;
}

function oomnitzaFieldProblem(name: string, path: Path, fields: ValidateOptions['oomnitzaFields']): MappingProblem[] {
  if (fields === undefined) return [];
  const field = fields.find((f) => f.name === name);
  if (field?.editable === false) return [problem(path, `Oomnitza field '${name}' is read-only (Oomnitza sets it); map another field`)];
  if (field !== undefined) return [];
  const names = fields.map((f) => f.name);
  return [
    problem(
      path,
      `Oomnitza has no user field '${name}'.${didYouMean(name, names)} Create the field in Oomnitza's data model, then refresh the fields (or map another field)`,
    ),
  ];
}

const numeric = new Set(['integer', 'number', 'decimal', 'currency']);
const scalarOnly = new Set([...numeric, 'boolean', 'checkbox', 'date', 'datetime', 'timestamp', 'dropdown']);

/**
 * What is sure to fail the conversion into the target's type for every record: a fixed value that
 * does not convert, a boolean or list field into a number, a list into a one-value field, an enum
 * with values outside a dropdown. (Expressions and transforms are checked per record, at run time.)
 */
function conversionProblem(target: string, spec: Target, fields: ValidateOptions['oomnitzaFields']): MappingProblem[] {
  const found = fields?.find((f) => f.name === target);
  if (found?.dataType === undefined || found.dataType === '') return [];
  const field: TargetField = { ...found, dataType: found.dataType };
  const type = field.dataType.toLowerCase();
  if (typeof spec === 'object' && 'value' in spec) {
    const converted = convertValue(spec.value, field);
    return converted.ok ? [] : [problem(['mapping', target, 'value'], converted.message)];
  }
  if (typeof spec === 'object' && (!('field' in spec) || (spec.transform?.length ?? 0) > 0)) return [];
  const source = catalogueByKey.get(typeof spec === 'string' ? spec : spec.field);
  if (source === undefined) return [];
  const into = `Oomnitza field ${target} (${type})`;
  if (source.type.endsWith('[]') && scalarOnly.has(type))
    return [
      problem(
        ['mapping', target],
        `${source.key} is a list and ${into} takes one value; map it into a text field (the list is joined) or pick one item in an expression`,
      ),
    ];
  if (source.type === 'boolean' && numeric.has(type))
    return [
      problem(
        ['mapping', target],
        `${source.key} is true/false and ${into} takes a number; map it into a boolean or text field, or use an expression such as \`${source.key} ? 1 : 0\``,
      ),
    ];
  if (source.type === 'enum' && type === 'dropdown' && field.options) {
    const outside = (source.values ?? []).filter((v) => !field.options?.some((o) => o.toLowerCase() === v.toLowerCase()));
    if (outside.length > 0)
      return [
        problem(
          ['mapping', target],
          `${source.key} takes ${outside.map((v) => describeValue(v)).join(', ')}, which ${into} does not list (${field.options.join(', ')}); add the values to the dropdown in Oomnitza, then refresh the fields`,
        ),
      ];
  }
  return [];
}

/** Every problem of the mapping part of `integration`; an empty list means it compiles. */
export function validateMapping(integration: Integration, options: ValidateOptions = {}): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const known = new Set<string>(catalogueKeys);
  problems.push(...customFieldProblems(integration.customFields, known));

  integration.filters.forEach((rule, index) => {
    if ('expr' in rule) {
      problems.push(...expressionProblems(rule.expr, ['filters', index, 'expr'], { known, later: new Map() }));
      return;
    }
    const unknown = sourceFieldProblem(rule.field, ['filters', index, 'field'], known);
    problems.push(...unknown);
    if (unknown.length === 0)
      for (const p of fieldRuleProblems(rule, sourceFieldType(rule.field))) problems.push(problem(['filters', index, p.key], p.message));
  });

  const targetsLower = new Map<string, string>();
  for (const [target, spec] of Object.entries(integration.mapping)) {
    const twin = targetsLower.get(target.toLowerCase());
    if (twin !== undefined)
      problems.push(
        problem(['mapping', target], `Oomnitza field ${target} is mapped twice (also as ${twin}); field names ignore case, so keep one`),
      );
    targetsLower.set(target.toLowerCase(), target);
    problems.push(...oomnitzaFieldProblem(target, ['mapping', target], options.oomnitzaFields));
    problems.push(...targetProblems(target, spec, known));
    problems.push(...conversionProblem(target, spec, options.oomnitzaFields));
    // Offboarding owns `suspended`: a mapped value would undo each suspension on the next run.
    if (target.toLowerCase() === 'suspended' && integration.offboarding?.policy === 'suspend')
      problems.push(
        problem(
          ['mapping', target],
          'suspended is set by offboarding (policy suspend), so it cannot also be mapped; remove it from the mapping, or set offboarding.policy to leave',
        ),
      );
  }

  const keysLower = new Set<string>();
  integration.syncKeys.forEach((key, index) => {
    const path = ['syncKeys', index];
    if (keysLower.has(key.toLowerCase()))
      problems.push(problem(path, `sync key ${key} is listed twice; list each key once, in priority order`));
    keysLower.add(key.toLowerCase());
    const mapped = Object.keys(integration.mapping).find((t) => t.toLowerCase() === key.toLowerCase());
    const spec = mapped === undefined ? undefined : integration.mapping[mapped];
    if (spec === undefined) {
      problems.push(
        problem(
          path,
          `sync key ${key} is not mapped; add it under mapping, e.g. ${key}: <source field>${didYouMean(key, Object.keys(integration.mapping))}`,
        ),
      );
    } else if (typeof spec === 'object' && 'value' in spec) {
      problems.push(
        problem(
          path,
          `sync key ${key} is mapped to a fixed value, so every record would match the same Oomnitza user; map it from a field such as email or uid`,
        ),
      );
    }
    const field = options.oomnitzaFields?.find((f) => f.name === key);
    // A mapped key that Oomnitza lacks is reported once, under mapping.
    if (options.oomnitzaFields !== undefined && field === undefined && spec === undefined)
      problems.push(...oomnitzaFieldProblem(key, path, options.oomnitzaFields));
    else if (field?.unique === false)
      problems.push(
        problem(
          path,
          `Oomnitza field ${key} is not marked Unique, and only unique fields can be sync keys; mark it Unique in Oomnitza's data model or choose another key`,
        ),
      );
  });
  return problems;
}
