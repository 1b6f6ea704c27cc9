/**
 * Limits on an integration file before it is parsed: its size and how deep it nests. The YAML
 * library composes documents recursively, so a 200 KB file nested 100,000 deep can exhaust the
 * stack (in the worst case a fatal V8 error nobody can catch); a real integration nests about five
 * levels. The check reads the lexer's tokens only (no recursion, no tree), stops at the first place
 * past the limit and says on which line it is. Alias expansion has its own limit in `load.ts`
 * (`maxAliasCount`).
 *
 * The depth counted is an upper bound: flow brackets open, plus block levels (one per indentation
 * step still open, one per `-`, `?` or `:` indicator on the line). It can only over-count, and the
 * limit is far above any honest file.
 *
 * @example
 * const problem = yamlLimitProblem(text);   // null, or { offset: 812, message: 'the file nests deeper than 64 levels …' }
 */
import { Lexer } from 'yaml';

/** The largest integration file accepted, in characters (the server's import limit is 512 KiB of bytes). */
export const maxYamlChars = 1024 * 1024;
/** How deep collections may nest; an integration needs about 5. */
export const maxYamlDepth = 64;
/** How many times aliases (`*name`) may be expanded when the document is read. */
export const maxYamlAliasCount = 100;

export interface YamlLimitProblem {
  /** Character offset in the text where the limit was crossed. */
  readonly offset: number;
  readonly message: string;
}

/** Control tokens of the yaml lexer that take no room in the source (document, scalar, flow-error markers). */
const zeroWidth = new Set(['\u0002', '\u0018', '\u001f']);

export function yamlLimitProblem(text: string, limits: { maxChars?: number; maxDepth?: number } = {}): YamlLimitProblem | null {
  const maxChars = limits.maxChars ?? maxYamlChars;
  const maxDepth = limits.maxDepth ?? maxYamlDepth;
  if (text.length > maxChars) {
    return {
      offset: 0,
      message: `the file has ${text.length} characters, more than the ${maxChars} an integration file may have; an integration is a few kilobytes`,
    };
  }
  let offset = 0;
  let flowDepth = 0;
  let atLineStart = true;
  let lineIndent = 0;
  let lineHasContent = false;
  let indicatorsOnLine = 0;
  const indents: number[] = [];
  for (const token of new Lexer().lex(text)) {
    const start = offset;
    if (!zeroWidth.has(token)) offset += token.length;
    if (token === '\n' || token === '\r\n') {
      atLineStart = true;
      lineIndent = 0;
      lineHasContent = false;
      indicatorsOnLine = 0;
      continue;
    }
    if (token.length > 0 && token.trim() === '' && !zeroWidth.has(token)) {
      if (atLineStart) lineIndent = token.length;
      continue;
    }
    atLineStart = false;
    if (zeroWidth.has(token) || token.startsWith('#')) continue;
    if (!lineHasContent && flowDepth === 0) {
      lineHasContent = true;
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= lineIndent) indents.pop();
      indents.push(lineIndent);
    }
    if (token === '[' || token === '{') flowDepth++;
    else if (token === ']' || token === '}') flowDepth = Math.max(0, flowDepth - 1);
    else if (flowDepth === 0 && (token === '-' || token === '?' || token === ':')) indicatorsOnLine++;
    if (flowDepth + indents.length + indicatorsOnLine > maxDepth) {
      return {
        offset: start,
        message: `the file nests deeper than ${maxDepth} levels here; an integration needs about 5 (check the brackets and the indentation)`,
      };
    }
  }
  return null;
}
