/**
 * Opaque, stable ids (hex digits) derived from a name, so the same seed gives the same ids on every
 * run. Oomnitza's own ids look like 32 hex digits (custom field ids, e.g. 24DCF85294E411E38A52066B556BA4EE).
 * Not random and not secret.
 *
 * @example
 * opaqueId('user:1001', 32); // 'a3f…' (32 lower-case hex digits, always the same)
 */
export function opaqueId(name: string, length: number): string {
  let out = '';
  let h = 0x811c9dc5;
  for (let round = 0; out.length < length; round++) {
    for (const ch of `${name}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}
