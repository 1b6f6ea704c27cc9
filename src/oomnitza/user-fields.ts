/**
 * The users fields an instance defines (`GET /api/v3/users/meta`), so a mapping can be checked
 * against the real data model before a run. Not in Oomnitza's published spec; a third-party client
 * calls it, and the spec's "Metadata field" schema is what it answers [INFERRED]. An instance that
 * does not serve it (404) gives null, and the caller skips that check.
 *
 * @example
 * const fields = await listUserFields(transport);
 * if (fields && !fields.some((f) => f.name === 'ninja_uid')) warn('ninja_uid is not an Oomnitza field');
 */
import { VendorError } from '../http/vendor-error.ts';
import { unexpectedAnswer } from './transport.ts';

import type { OomnitzaTransport } from './transport.ts';
import type { ReadOptions } from './users-read.ts';

export interface OomnitzaFieldInfo {
  /** The external id: the name in the v3 API. */
  readonly name: string;
  readonly label: string;
  readonly dataType: string;
  readonly unique: boolean;
  readonly editable: boolean;
  readonly required: boolean;
}

export async function listUserFields(transport: OomnitzaTransport, options: ReadOptions = {}): Promise<OomnitzaFieldInfo[] | null> {
  const url = transport.url('/api/v3/users/meta');
  let body: unknown;
  try {
    body = (await transport.send<unknown>('GET', url, { signal: options.signal })).body;
  } catch (error) {
    if (error instanceof VendorError && error.status === 404) return null;
    throw error;
  }
  if (typeof body !== 'object' || body === null) throw unexpectedAnswer('GET', url, 200, 'the users metadata');
  // An object keyed by external id (the spec's "Metadata fields"), or a list of fields.
  const entries: Array<[string | null, unknown]> = Array.isArray(body) ? body.map((item) => [null, item]) : Object.entries(body);
  const out: OomnitzaFieldInfo[] = [];
  for (const [key, raw] of entries) {
    if (typeof raw !== 'object' || raw === null) continue;
    const meta = raw as Record<string, unknown>;
    const name = key ?? text(meta['external_id']) ?? text(meta['name']);
    if (name === null) continue;
    out.push({
      name,
      label: text(meta['label']) ?? name,
      dataType: text(meta['data_type']) ?? 'string',
      unique: flag(meta['unique'], false),
      editable: flag(meta['editable'], true),
      required: !flag(meta['optional'], true),
    });
  }
  return out;
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
