/**
 * The minimal shape check for NinjaOne list answers: a JSON array of objects that each carry a
 * numeric `id`. Everything else is passed through untouched, unknown fields included, because
 * NinjaOne adds and drops fields between versions (`tags`/`fields` on users came and went) and the
 * mapping treats absent and null alike. An id is the one thing paging and matching cannot do
 * without, so an entry without one is an error that names where it was.
 *
 * @example
 * const users = readEntries<NinjaOneUser>(body, { host, path: '/v2/users' });
 */
import { NinjaOneResponseError } from './errors.ts';

export interface EntriesContext {
  readonly host: string;
  readonly path: string;
  /** 1-based page number, for paged lists. */
  readonly page?: number;
  /** How many entries earlier pages held, so the index reported is the position in the whole list. */
  readonly offset?: number;
}

export function readEntries<T extends { readonly id: number }>(body: unknown, context: EntriesContext): T[] {
  const where = `NinjaOne GET ${context.host}${context.path}${context.page === undefined ? '' : ` (page ${context.page})`}`;
  if (!Array.isArray(body)) {
    throw new NinjaOneResponseError(
      `${where} answered ${describeJson(body)} where a JSON array was expected; check the NinjaOne URL.`,
      context,
    );
  }
  body.forEach((entry: unknown, index) => {
    const position = (context.offset ?? 0) + index;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new NinjaOneResponseError(
        `${where} answered ${describeJson(entry)} at index ${position} where an object with an id was expected.`,
        context,
      );
    }
    const id = (entry as Record<string, unknown>)['id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      throw new NinjaOneResponseError(
        `${where} answered an entry without a numeric id at index ${position} (id is ${describeJson(id)}).`,
        context,
      );
    }
  });
  return body as T[];
}

function describeJson(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}
