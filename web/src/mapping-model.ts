/**
 * Pure helpers for the mapping page: what a target reads, how a drop changes it, and which
 * Oomnitza user fields are offered on the right (the tenant's data model when it is known, the
 * common fields when not).
 *
 * @example
 * assignSource({ field: 'email', transform: ['lower'] }, 'uid'); // { field: 'uid', transform: ['lower'] }
 * targetFields(model, ['email'], []); // [{ name: 'username', label: 'Username', dataType: 'string', ... }, ...]
 */
import type { IntegrationInput } from '../../src/contracts/integrations.ts';
import type { OomnitzaField } from './use-data-model.ts';

export type Target = IntegrationInput['mapping'][string];

/** An Oomnitza field as a row on the right. */
export interface TargetInfo {
  readonly name: string;
  /** The tenant's label ("E-mail"); the name when the model is not known. */
  readonly label: string;
  /** The tenant's type ("string", "dropdown", …); null when the model is not known. */
  readonly dataType: string | null;
  readonly required: boolean;
  /** The values of a dropdown field; null for other fields or when the model is not known. */
  readonly options: readonly string[] | null;
  /** False when the tenant's data model is known and lacks this field (a save is refused). */
  readonly inModel: boolean;
}

/** "E-mail (email)", or the name alone when it is its own label. */
export function targetTitle(info: Pick<TargetInfo, 'name' | 'label'>): string {
  return info.label === info.name ? info.name : `${info.label} (${info.name})`;
}

/**
 * The rows on the right: the common fields the tenant has (and its required ones), then every
 * field mapped or added, in that order, each once. Without a model: the common fields as names.
 */
export function targetFields(model: readonly OomnitzaField[] | null, mapped: readonly string[], added: readonly string[]): TargetInfo[] {
  const byName = new Map((model ?? []).map((f) => [f.name, f]));
  const info = (name: string): TargetInfo => {
    const field = byName.get(name);
    if (field)
      return { name, label: field.label, dataType: field.dataType, required: field.required, options: field.options, inModel: true };
    return { name, label: name, dataType: null, required: false, options: null, inModel: model === null };
  };
  const common = model === null ? [...commonOomnitzaFields] : commonOomnitzaFields.filter((n) => byName.get(n)?.editable === true);
  const required = (model ?? []).filter((f) => f.required && f.editable).map((f) => f.name);
  return [...new Set([...common, ...required, ...mapped, ...added])].map(info);
}

/** The tenant's editable fields that are not rows yet: what "Add Oomnitza field" offers. */
export function addableFields(model: readonly OomnitzaField[] | null, shown: readonly string[]): OomnitzaField[] {
  return (model ?? []).filter((f) => f.editable && !shown.includes(f.name));
}

/** Oomnitza v3 user fields most integrations fill. */
export const commonOomnitzaFields = [
  'username',
  'email',
  'first_name',
  'last_name',
  'full_name',
  'phone_number',
  'position',
  'address',
  'external_id',
] as const;

/** The source field a target reads, if it reads exactly one. */
export function sourceOf(target: Target | undefined): string | null {
  if (target === undefined) return null;
  if (typeof target === 'string') return target;
  if ('field' in target) return target.field;
  return null;
}

/** Points a target at another source field, keeping its transforms. */
export function assignSource(previous: Target | undefined, source: string): Target {
  if (previous !== undefined && typeof previous !== 'string' && 'field' in previous && previous.transform)
    return { field: source, transform: previous.transform };
  return source;
}

function transformText(t: unknown): string {
  return typeof t === 'string' ? t : JSON.stringify(t);
}

/** A short text for what a target writes: `email`, `email | trim, lower`, `= expr`, `fixed "x"`. */
export function describeTarget(target: Target | undefined): string {
  if (target === undefined) return 'not mapped';
  if (typeof target === 'string') return target;
  if ('field' in target)
    return target.transform?.length ? `${target.field} | ${target.transform.map(transformText).join(', ')}` : target.field;
  if ('expr' in target) return `= ${target.expr}`;
  return `fixed ${JSON.stringify(target.value)}`;
}

/** A NinjaOne key as an Oomnitza field name: firstName → first_name. */
export function toOomnitzaName(text: string): string {
  return text
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
    .replace(/^(\d)/, 'f_$1');
}
