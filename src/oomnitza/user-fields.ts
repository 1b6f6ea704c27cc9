/**
 * The users data model of an instance (`GET /api/v3/users/meta`): every users field with its label,
 * type, flags, length and dropdown values, so a mapping can be checked against the real tenant.
 *
 * The route is not in Oomnitza's published spec; a third-party client calls it, and the spec's
 * "Metadata field" schema is what it answers [INFERRED]. So the answer is checked for shape before
 * it is believed: a server that does not know the route may answer it with something else (a mock
 * built from the spec answered it with the user named "meta", as `users/{ident}`). An answer that is
 * not field metadata means "no data model" (with the reason), never "a data model with no fields".
 * A 404 means the same.
 *
 * @example
 * const model = await readUserDataModel(transport);
 * if (model.available && !model.fields.some((f) => f.name === 'ninja_uid')) warn('ninja_uid is not an Oomnitza field');
 */
import { VendorError } from '../http/vendor-error.ts';

import type { OomnitzaTransport } from './transport.ts';
import type { ReadOptions } from './users-read.ts';

export interface OomnitzaFieldInfo {
  /** The external id: the name in the v3 API. */
  readonly name: string;
  readonly label: string;
  /** Oomnitza's `data_type`, lower case: string, email, integer, number, boolean, date, datetime, dropdown, … */
  readonly dataType: string;
  readonly unique: boolean;
  readonly editable: boolean;
  readonly required: boolean;
  /** Longest text the field takes, when the model says. */
  readonly length: number | null;
  /** The values of a dropdown field (`searchhelp`), when the model lists them. */
  readonly options: readonly string[] | null;
}

export type UserDataModel =
  | { readonly available: true; readonly fields: readonly OomnitzaFieldInfo[] }
  /** The instance gave no usable data model; `reason` says why, for the user. */
  | { readonly available: false; readonly reason: string };

export async function readUserDataModel(transport: OomnitzaTransport, options: ReadOptions = {}): Promise<UserDataModel> {
  const url = transport.url('/api/v3/users/meta');
  let body: unknown;
  try {
    body = (await transport.send<unknown>('GET', url, { signal: options.signal })).body;
  } catch (error) {
    if (error instanceof VendorError && (error.status === 404 || error.status === 405 || error.kind === 'html'))
      return { available: false, reason: `${url.host} does not serve the users data model (GET ${url.pathname}: ${error.message})` };
    throw error;
  }
  return parseUserDataModel(body, `${url.host}${url.pathname}`);
}

/** The fields of a metadata answer, or why it is not one. Exported for the shape tests. */
export function parseUserDataModel(body: unknown, where: string): UserDataModel {
  const notMetadata = (why: string): UserDataModel => ({
    available: false,
    reason: `the answer of ${where} is not users field metadata (${why}); the mapping is not checked against the data model`,
  });
  if (typeof body !== 'object' || body === null) return notMetadata(`got ${body === null ? 'null' : typeof body}`);
  // An object keyed by external id (the spec's "Metadata fields"), or a list of fields.
  const entries: Array<[string | null, unknown]> = Array.isArray(body) ? body.map((item) => [null, item]) : Object.entries(body);
  if (entries.length === 0) return notMetadata('it is empty');
  const out: OomnitzaFieldInfo[] = [];
  for (const [key, raw] of entries) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return notMetadata(
        `${key ?? 'an item'} is ${Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'null' : `a ${typeof raw}`}, not a field`,
      );
    const meta = raw as Record<string, unknown>;
    const name = key ?? text(meta['external_id']) ?? text(meta['name']);
    const dataType = text(meta['data_type']);
    if (name === null || dataType === null) return notMetadata(`${name ?? 'an item'} has no data_type`);
    out.push({
      name,
      label: text(meta['label']) ?? name,
      dataType: dataType.toLowerCase(),
      unique: flag(meta['unique'], false),
      editable: flag(meta['editable'], true),
      required: !flag(meta['optional'], true),
      length: lengthOf(meta['length']),
      options: optionsOf(meta['searchhelp']),
    });
  }
  return { available: true, fields: out };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The spec types these flags as strings ("true"/"false"); accept booleans too. */
function flag(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  return fallback;
}

function lengthOf(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** `searchhelp`: a list of `{key, value}` (or of plain texts) for a dropdown. */
function optionsOf(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'object' && item !== null) {
      const option = (item as Record<string, unknown>)['value'] ?? (item as Record<string, unknown>)['key'];
      if (typeof option === 'string' || typeof option === 'number') out.push(String(option));
    }
  }
  return out;
}
