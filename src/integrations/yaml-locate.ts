/**
 * Where a path of an integration document sits in its YAML file, as 1-based line and column, so a
 * problem can say `file.yaml:12:5`. Falls back to the nearest ancestor that exists (a missing
 * required key is reported where its parent mapping starts).
 *
 * @example
 * const at = locate(doc, lineCounter, ['source', 'clientId']);   // { line: 4, column: 13 }
 */
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export interface Location {
  readonly line: number;
  readonly column: number;
}

export function locate(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[], key?: string): Location | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = nodeAt(doc, path.slice(0, depth));
    if (!node) continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return position(lineCounter, keyNode.range[0]);
    }
    if (node.range) return position(lineCounter, node.range[0]);
  }
  return null;
}

/** The node at a path; numbers index sequences, strings key mappings. */
export function nodeAt(doc: Document, path: readonly (string | number)[]): Node | null {
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      node = pair?.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else return null;
    if (node === undefined || node === null) return null;
  }
  return (node as Node | null) ?? null;
}

export function position(lineCounter: LineCounter, offset: number): Location {
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(line, 1), column: Math.max(col, 1) };
}

/** `source.clientId`, `filters[2].op`: a path as a person writes it. */
export function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return text;
}
