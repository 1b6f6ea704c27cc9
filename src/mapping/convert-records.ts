/**
 * The per-record half of the checks against the tenant's data model: every kept record's values
 * converted into its target fields' types (`convert.ts`), and a record with a value that cannot be
 * converted turned into a failure that names the field, the value and the type. The preview and
 * the run (dry or real) both go through here, so the preview's and the dry run's failed records are
 * the run's. The document-wide half (unknown fields, keys that are not unique, a source that never
 * fits) is `validateMapping` with the same model.
 *
 * @example
 * const targets = typedTargets(model, compiled.targetFields);
 * const outcomes = convertOutcomes(await compiled.mapAll(users, context), targets);
 */
import { convertRecord } from './convert.ts';

import type { MapOutcome } from './compile.ts';
import type { TargetField } from './convert.ts';

/** A users field of the data model as the checks read it (the Oomnitza field info fits). */
export type ModelField = Pick<TargetField, 'name'> & {
  readonly dataType?: string | undefined;
  readonly length?: number | null | undefined;
  readonly options?: readonly string[] | null | undefined;
};

/** The typed target fields of the mapping, by name; null when the model says no types for them. */
export function typedTargets(model: readonly ModelField[] | null, targetFields: readonly string[]): Map<string, TargetField> | null {
  if (model === null) return null;
  const wanted = new Set(targetFields);
  const targets = new Map<string, TargetField>();
  for (const field of model)
    if (wanted.has(field.name) && field.dataType !== undefined && field.dataType !== '')
      targets.set(field.name, { name: field.name, dataType: field.dataType, length: field.length ?? null, options: field.options ?? null });
  return targets.size === 0 ? null : targets;
}

/** The outcomes with kept records converted; a record that cannot be fails, with every field's reason. */
export function convertOutcomes(outcomes: readonly MapOutcome[], targets: ReadonlyMap<string, TargetField> | null): MapOutcome[] {
  if (targets === null) return [...outcomes];
  return outcomes.map((outcome): MapOutcome => {
    if (!outcome.kept) return outcome;
    const converted = convertRecord(outcome.record.fields, targets);
    if (converted.ok) return { kept: true, record: { ...outcome.record, fields: converted.fields } };
    const { sourceId, label } = outcome.record;
    return { kept: false, error: true, sourceId, label, reason: `not written: ${converted.failures.join('; ')}` };
  });
}
