/**
 * Requests for property-based fuzzing of the HTTP API, generated from its own OpenAPI document
 * (`GET /api/docs`): for every operation, path parameters (a real id or junk), query strings (the
 * declared parameters with good, bad and repeated values, plus unknown ones) and bodies (shaped by
 * the operation's JSON schema, then bent: a required field dropped, a wrong type, an unknown key,
 * deep nesting, or no JSON at all).
 *
 * @example
 * const operations = operationsOf(await (await fetch(`${url}/api/docs`)).json());
 * fc.assert(fc.asyncProperty(requestFor(operations[0], { id: ['a-real-id'] }), async (request) => { ... }));
 */
import fc from 'fast-check';

export interface Operation {
  readonly method: string;
  /** OpenAPI form: `/api/integrations/{id}`. */
  readonly path: string;
  readonly pathParameters: readonly string[];
  readonly queryParameters: readonly { readonly name: string; readonly schema: JsonSchema }[];
  readonly body: JsonSchema | null;
  readonly access: string;
}

export interface FuzzRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | null;
  readonly body: string | null;
  readonly authenticated: boolean;
}

type JsonSchema = Record<string, any>;

/** Every operation of an OpenAPI 3 document. */
export function operationsOf(document: { paths: Record<string, Record<string, any>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters: any[] = operation.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        path,
        pathParameters: parameters.filter((p) => p.in === 'path').map((p) => p.name as string),
        queryParameters: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name as string, schema: p.schema ?? {} })),
        body: operation.requestBody?.content?.['application/json']?.schema ?? null,
        access: String(operation['x-access'] ?? ''),
      });
    }
  }
  return out;
}

const junkText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '..', '../..', '%00', '\u0000', "'; drop table runs; --", '${HOME}', '{{7*7}}', 'null', '-1', '1e309', 'NaN'),
  fc.string({ minLength: 3000, maxLength: 5000 }),
);

/** A value shaped by `schema` (good enough to get past most validation), depth-bounded. */
export function fromSchema(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union && union.length > 0) return fc.oneof(...union.map((s) => fromSchema(s, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return fromSchema(schema.allOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'uri') return fc.webUrl();
      const min = Number(schema.minLength ?? 0);
      const max = Math.max(min, Math.min(Number(schema.maxLength ?? 40), 200));
      return fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.constantFrom('ninjaone', 'oomnitza', 'email', 'firstName'));
    }
    case 'integer':
      return fc.integer({ min: Number(schema.minimum ?? -10), max: Number(schema.maximum ?? 100_000) });
    case 'number':
      return fc.double({ noNaN: true, min: Number(schema.minimum ?? -1e6), max: Number(schema.maximum ?? 1e6) });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items ?? {}, depth + 1), { maxLength: 4 });
    case 'object': {
      const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>);
      const required = new Set<string>(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of properties) record[name] = fromSchema(property, depth + 1);
      const shaped = fc.record(record, { requiredKeys: properties.map(([name]) => name).filter((name) => required.has(name)) });
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && properties.length === 0)
        return fc.dictionary(fc.string({ maxLength: 12 }), fromSchema(schema.additionalProperties, depth + 1), { maxKeys: 4 });
      return shaped;
    }
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

/** Bends a well-shaped value: drops a key, swaps a value's type, adds an unknown key. */
function bent(value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(value, fc.nat(), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 10 })).map(([v, n, other, key]) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return other;
    const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const pick = keys.length > 0 ? keys[n % keys.length]! : null;
    switch (n % 3) {
      case 0:
        if (pick !== null) delete copy[pick];
        break;
      case 1:
        if (pick !== null) copy[pick] = other;
        break;
      default:
        copy[key] = other;
    }
    return copy;
  });
}

function deep(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

const rawBodies = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    'null',
    'true',
    '"text"',
    '\u0000',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
  ),
  fc.integer({ min: 100, max: 100_000 }).map(deep),
);

function bodyFor(operation: Operation): fc.Arbitrary<{ contentType: string | null; body: string | null }> {
  const json = (value: fc.Arbitrary<unknown>) => value.map((v) => ({ contentType: 'application/json', body: JSON.stringify(v) ?? 'null' }));
  const choices: fc.Arbitrary<{ contentType: string | null; body: string | null }>[] = [
    json(fc.jsonValue({ maxDepth: 4 })),
    rawBodies.map((body) => ({ contentType: 'application/json', body })),
    fc.constant({ contentType: null, body: null }),
    fc
      .tuple(
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/yaml', 'multipart/form-data'),
        fc.string({ maxLength: 200 }),
      )
      .map(([contentType, body]) => ({ contentType, body })),
  ];
  if (operation.body) {
    const shaped = fromSchema(operation.body);
    // Shaped bodies most often: they get past the first check and reach the handlers.
    choices.push(json(shaped), json(shaped), json(bent(shaped)), json(bent(shaped)));
  }
  return fc.oneof(...choices);
}

function queryFor(operation: Operation): fc.Arbitrary<string> {
  const pairs = operation.queryParameters.map((parameter) =>
    fc.option(
      fc.oneof(
        fromSchema(parameter.schema).map((v) => [[parameter.name, typeof v === 'string' ? v : JSON.stringify(v)]]),
        junkText.map((v) => [[parameter.name, v]]),
        fc.tuple(junkText, junkText).map(([a, b]) => [
          [parameter.name, a],
          [parameter.name, b],
        ]),
      ),
      { nil: [] as string[][] },
    ),
  );
  const extra = fc.option(
    fc.tuple(fc.string({ maxLength: 10 }), junkText).map(([k, v]) => [[k, v]]),
    { nil: [] as string[][] },
  );
  return fc.tuple(fc.tuple(...pairs), extra).map(([chosen, more]) => {
    const search = new URLSearchParams();
    for (const list of [...chosen, more]) for (const [k, v] of list) search.append(k!, v!);
    const text = search.toString();
    return text === '' ? '' : `?${text}`;
  });
}

/**
 * One request to `operation`: path parameters from `ids` (the real ids the test made, by
 * parameter name) or junk, a query and a body as described in the module comment.
 */
export function requestFor(operation: Operation, ids: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<FuzzRequest> {
  const params = operation.pathParameters.map((name) => {
    const real = ids[name] ?? [];
    return real.length > 0 ? fc.oneof(fc.constantFrom(...real), junkText) : junkText;
  });
  return fc
    .record({
      params: fc.tuple(...params),
      query: queryFor(operation),
      body: bodyFor(operation),
      // One request in five without credentials: those must answer 401, never reach a handler.
      authenticated: fc.nat({ max: 4 }).map((n) => n > 0 || operation.access === 'public'),
    })
    .map(({ params: values, query, body, authenticated }) => {
      let url = operation.path;
      operation.pathParameters.forEach((name, i) => {
        url = url.replace(`{${name}}`, encodeURIComponent(String(values[i])));
      });
      const bodyless = operation.method === 'GET' || operation.method === 'HEAD';
      return {
        method: operation.method,
        url: url + query,
        contentType: bodyless ? null : body.contentType,
        body: bodyless ? null : body.body,
        authenticated,
      };
    });
}
