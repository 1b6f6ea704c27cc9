/**
 * JSON request bodies with a nesting limit. `JSON.parse` itself copes with deep input, but
 * everything after it (zod, `JSON.stringify`, the YAML exporter) recurses, so a 1 MB body of
 * `[[[[…` would end in a stack overflow far from the request. The raw text is scanned once
 * (strings skipped, no recursion) before Fastify's own parser (prototype-poisoning checks
 * included) reads it; past the limit the answer is a 400 that names the line and column.
 *
 * @example
 * useJsonBodyLimits(app);   // before any route is registered
 */
import { ApiError } from './errors.ts';

import type { FastifyInstance } from 'fastify';

/** How deep a JSON body may nest; an integration document needs about 6. */
export const maxJsonDepth = 64;

export function useJsonBodyLimits(app: FastifyInstance, maxDepth = maxJsonDepth): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function parseLimitedJson(request, body, done) {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const tooDeep = jsonDepthOffset(text, maxDepth);
    if (tooDeep !== null) {
      const { line, column } = lineAndColumn(text, tooDeep);
      done(
        new ApiError(400, 'bad_request', `the JSON body nests deeper than ${maxDepth} levels at line ${line}, column ${column}`, {
          line,
          column,
        }),
        undefined,
      );
      return;
    }
    void parseJson(request, text, done);
  });
}

/** Offset of the first bracket that opens past `maxDepth`, or null. Malformed JSON is left to the parser. */
export function jsonDepthOffset(text: string, maxDepth: number): number | null {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > maxDepth) return index;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return null;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
