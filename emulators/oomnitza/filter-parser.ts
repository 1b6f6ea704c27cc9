/**
 * Parser for the `filter` query parameter of Oomnitza's v3 API, a small SQL-like language
 * (reference §2.4: `first_name eq 'X'`, `barcode IS NULL`, `barcode LIKE "A%" OR barcode LIKE "B%"`,
 * `barcode IN ["1","2"]`, `(creation_date gt X) and (created_by_type eq 'T')`).
 *
 * Grammar (keywords and operators case-insensitive):
 *   expr       := and ( OR and )*
 *   and        := primary ( AND primary )*
 *   primary    := '(' expr ')' | condition
 *   condition  := field ( cmp value | IN list | IS [NOT] NULL | LIKE string | BETWEEN value AND value )
 *   cmp        := eq | ne | gt | gte | lt | lte
 *   list       := '[' [ value ( ',' value )* ] ']'  |  '(' … ')'
 *   value      := string | number | true | false
 *   field      := [A-Za-z_][A-Za-z0-9_]*
 * Strings are in single or double quotes. Escapes: the quote doubled (`'O''Brien'`), or a backslash
 * before the quote or another backslash (`'O\'Brien'`, `'C:\\'`). Any other backslash pair (`\%`,
 * `\_`) is kept as written, so LIKE patterns can escape their wildcards. Symbols (`=`, `!=`, `<`)
 * and unquoted words as values are refused: Oomnitza documents only the word operators. [INFERRED]
 *
 * @example
 * parseFilter(`email eq 'a@b.c' OR (role IN [25, 30] AND suspended eq false)`);
 */

export const comparisonOperators = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

export type FilterLiteral =
  | { readonly type: 'string'; readonly value: string; readonly position: number }
  | { readonly type: 'number'; readonly value: number; readonly position: number }
  | { readonly type: 'boolean'; readonly value: boolean; readonly position: number };

export type FilterNode =
  | { readonly kind: 'and'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly position: number;
      readonly op: ComparisonOperator;
      readonly value: FilterLiteral;
    }
  | { readonly kind: 'in'; readonly field: string; readonly position: number; readonly values: readonly FilterLiteral[] }
  | { readonly kind: 'null'; readonly field: string; readonly position: number; readonly negated: boolean }
  | { readonly kind: 'like'; readonly field: string; readonly position: number; readonly pattern: string }
  | {
      readonly kind: 'between';
      readonly field: string;
      readonly position: number;
      readonly low: FilterLiteral;
      readonly high: FilterLiteral;
    };

/** A filter that is not well formed; `position` is the 0-based character offset of the problem. */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`filter syntax error at position ${position}: ${reason}`);
  }
}

type TokenType = 'word' | 'string' | 'number' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'end';
interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly position: number;
}

/** Splits a filter into tokens; a string token's text is its unescaped value. */
export function tokenizeFilter(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const punctuation: Record<string, TokenType> = { '(': 'lparen', ')': 'rparen', '[': 'lbracket', ']': 'rbracket', ',': 'comma' };
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const punct = punctuation[ch];
    if (punct) {
      tokens.push({ type: punct, text: ch, position: i++ });
      continue;
    }
    if (ch === "'" || ch === '"') {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new FilterSyntaxError(`the string starting here has no closing ${ch}`, start);
        const c = source[i]!;
        if (c === '\\' && i + 1 < source.length) {
          const next = source[i + 1]!;
          // \' \" \\ are escapes; any other pair stays as written (LIKE's \% and \_).
          value += next === "'" || next === '"' || next === '\\' ? next : `\\${next}`;
          i += 2;
        } else if (c === ch && source[i + 1] === ch) {
          value += ch;
          i += 2;
        } else if (c === ch) {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ type: 'string', text: value, position: start });
      continue;
    }
    const number = /^-?\d+(?:\.\d+)?(?![A-Za-z_0-9])/.exec(source.slice(i));
    if (number) {
      tokens.push({ type: 'number', text: number[0], position: i });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (word) {
      tokens.push({ type: 'word', text: word[0], position: i });
      i += word[0].length;
      continue;
    }
    const symbol = /^(?:!=|<>|<=|>=|==|=|<|>)/.exec(source.slice(i));
    if (symbol) throw new FilterSyntaxError(`"${symbol[0]}" is not an operator here; use eq, ne, gt, gte, lt or lte`, i);
    throw new FilterSyntaxError(`unexpected character "${ch}"`, i);
  }
  tokens.push({ type: 'end', text: '', position: source.length });
  return tokens;
}

/** Parses a whole filter, or throws FilterSyntaxError naming the position. */
export function parseFilter(source: string): FilterNode {
  const tokens = tokenizeFilter(source);
  let index = 0;
  const peek = (): Token => tokens[index]!;
  const next = (): Token => tokens[index++]!;
  const isKeyword = (token: Token, keyword: string): boolean => token.type === 'word' && token.text.toLowerCase() === keyword;
  const describe = (token: Token): string => (token.type === 'end' ? 'the end of the filter' : `"${token.text}"`);

  function expect(type: TokenType, what: string): Token {
    const token = next();
    if (token.type !== type) throw new FilterSyntaxError(`expected ${what}, found ${describe(token)}`, token.position);
    return token;
  }

  function parseOr(): FilterNode {
    let left = parseAnd();
    while (isKeyword(peek(), 'or')) {
      next();
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }

  function parseAnd(): FilterNode {
    let left = parsePrimary();
    while (isKeyword(peek(), 'and')) {
      next();
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  }

  function parsePrimary(): FilterNode {
    if (peek().type === 'lparen') {
      next();
      const inner = parseOr();
      expect('rparen', 'a closing ")"');
      return inner;
    }
    return parseCondition();
  }

  function parseCondition(): FilterNode {
    const fieldToken = next();
    if (fieldToken.type !== 'word' || ['and', 'or'].includes(fieldToken.text.toLowerCase())) {
      throw new FilterSyntaxError(`expected a field name, found ${describe(fieldToken)}`, fieldToken.position);
    }
    const field = fieldToken.text;
    const position = fieldToken.position;
    const opToken = next();
    const op = opToken.type === 'word' ? opToken.text.toLowerCase() : '';
    if ((comparisonOperators as readonly string[]).includes(op)) {
      return { kind: 'compare', field, position, op: op as ComparisonOperator, value: parseValue() };
    }
    switch (op) {
      case 'in':
        return { kind: 'in', field, position, values: parseList() };
      case 'is': {
        const negated = isKeyword(peek(), 'not');
        if (negated) next();
        const nullToken = next();
        if (!isKeyword(nullToken, 'null'))
          throw new FilterSyntaxError(`expected NULL after IS${negated ? ' NOT' : ''}, found ${describe(nullToken)}`, nullToken.position);
        return { kind: 'null', field, position, negated };
      }
      case 'like': {
        const pattern = next();
        if (pattern.type !== 'string')
          throw new FilterSyntaxError(`LIKE takes a quoted pattern, found ${describe(pattern)}`, pattern.position);
        return { kind: 'like', field, position, pattern: pattern.text };
      }
      case 'between': {
        const low = parseValue();
        const and = next();
        if (!isKeyword(and, 'and')) throw new FilterSyntaxError(`expected AND in BETWEEN, found ${describe(and)}`, and.position);
        return { kind: 'between', field, position, low, high: parseValue() };
      }
      default:
        throw new FilterSyntaxError(
          `expected an operator after "${field}" (eq, ne, gt, gte, lt, lte, IN, IS NULL, IS NOT NULL, LIKE, BETWEEN), found ${describe(opToken)}`,
          opToken.position,
        );
    }
  }

  function parseValue(): FilterLiteral {
    const token = next();
    if (token.type === 'string') return { type: 'string', value: token.text, position: token.position };
    if (token.type === 'number') return { type: 'number', value: Number(token.text), position: token.position };
    if (isKeyword(token, 'true') || isKeyword(token, 'false'))
      return { type: 'boolean', value: token.text.toLowerCase() === 'true', position: token.position };
    if (isKeyword(token, 'null')) throw new FilterSyntaxError('compare with NULL using IS NULL or IS NOT NULL', token.position);
    if (token.type === 'word')
      throw new FilterSyntaxError(`the value ${describe(token)} must be quoted, e.g. '${token.text}'`, token.position);
    throw new FilterSyntaxError(`expected a value, found ${describe(token)}`, token.position);
  }

  function parseList(): FilterLiteral[] {
    const open = next();
    if (open.type !== 'lbracket' && open.type !== 'lparen')
      throw new FilterSyntaxError(`IN takes a list in [ ] or ( ), found ${describe(open)}`, open.position);
    const close: TokenType = open.type === 'lbracket' ? 'rbracket' : 'rparen';
    const values: FilterLiteral[] = [];
    if (peek().type === close) {
      next();
      return values;
    }
    for (;;) {
      values.push(parseValue());
      const sep = next();
      if (sep.type === close) return values;
      if (sep.type !== 'comma')
        throw new FilterSyntaxError(
          `expected "," or "${close === 'rbracket' ? ']' : ')'}" in the IN list, found ${describe(sep)}`,
          sep.position,
        );
    }
  }

  if (peek().type === 'end') throw new FilterSyntaxError('the filter is empty', 0);
  const tree = parseOr();
  const rest = peek();
  if (rest.type !== 'end') throw new FilterSyntaxError(`unexpected ${describe(rest)}; join conditions with AND or OR`, rest.position);
  return tree;
}

/** The field names a filter uses, with where each appears. */
export function filterFields(node: FilterNode): Array<{ field: string; position: number }> {
  if (node.kind === 'and' || node.kind === 'or') return [...filterFields(node.left), ...filterFields(node.right)];
  return [{ field: node.field, position: node.position }];
}
