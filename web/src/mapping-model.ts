/**
 * Pure helpers for the mapping page: what a target reads, how a drop changes it, and the common
 * Oomnitza user fields offered on the right.
 *
 * @example
 * assignSource({ field: 'email', transform: ['lower'] }, 'uid'); // { field: 'uid', transform: ['lower'] }
 */
import type { IntegrationInput } from '../../src/contracts/integrations.ts';

export type Target = IntegrationInput['mapping'][string];

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
