import fc from 'fast-check';
import {
  ID_NAMES,
  resourceOf,
  type FuzzRequest,
  type IdPool,
  type OpenApiDoc,
  type Operation,
  type Parameter,
  type Schema,
} from './openapi-operations.js';

export { harvest, ID_NAMES, operationsOf, resourceOf } from './openapi-operations.js';
export type { FuzzRequest, IdPool, Operation, Schema } from './openapi-operations.js';

/** JSON text that is spliced into a body as it is: deep nesting, keys JSON.stringify would not write. */
class RawJson {
  constructor(readonly text: string) {}
}

const DEPTH = 5000;
const DEEP_OBJECT = new RawJson(`${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`);
const DEEP_ARRAY = new RawJson(`${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`);
export const HUGE_STRING = 'x'.repeat(300_000);

/** Strings every text field should survive: NUL, lone surrogates, impossible dates, injection-looking text, huge text. */
const HOSTILE_STRINGS = [
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  `${'😀'.repeat(300)}`.slice(0, 501),
  '2026-02-30',
  '2026-02-30T10:00:00.000Z',
  '2026-13-45T25:61:61Z',
  '0000-00-00',
  '-1',
  '1e400',
  'NaN',
  '',
  ' ',
  '*',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '%00',
  '\\u0000',
  'x'.repeat(5000),
];
const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE_STRINGS,
  null,
  -1,
  0,
  2 ** 31,
  2 ** 53 + 2,
  1e308,
  -1e308,
  0.000001,
  true,
  [],
  [null],
  {},
  { a: 1 },
  DEEP_OBJECT,
  DEEP_ARRAY,
];
const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'unexpectedField'];

const hostileValue = (huge: boolean): fc.Arbitrary<unknown> =>
  huge
    ? fc.oneof(
        { arbitrary: fc.constantFrom(...HOSTILE_VALUES), weight: 12 },
        { arbitrary: fc.constant(HUGE_STRING), weight: 1 },
      )
    : fc.constantFrom(...HOSTILE_VALUES);

export class SchemaArbitraries {
  constructor(
    private readonly doc: OpenApiDoc,
    private readonly pool: IdPool,
    private readonly hints: Record<string, fc.Arbitrary<unknown>> = {},
  ) {}

  resolve(schema: Schema): Schema {
    let current = schema;
    while (current.$ref) current = this.doc.components?.schemas?.[current.$ref.split('/').pop()!] ?? {};
    if (current.allOf)
      return current.allOf.reduce<Schema>((merged, part) => mergeSchemas(merged, this.resolve(part)), {
        ...current,
        allOf: undefined,
      });
    return current;
  }

  /** A value the schema accepts (as far as OpenAPI can say: class-validator rules beyond it may still refuse it). */
  valid(input: Schema, name = '', depth = 0, scope = ''): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    const hint = this.hints[name];
    const generated = this.byType(schema, name, depth);
    // A field's example and the test's hints are values the service takes beyond what the schema can say
    // (a table that exists, a cron expression): with them requests get past validation into the service.
    const known = [
      ...(schema.example !== undefined && !schema.enum ? [fc.constant(schema.example)] : []),
      ...(hint ? [hint] : []),
    ];
    const base =
      known.length > 0
        ? fc.oneof({ arbitrary: fc.oneof(...known), weight: 9 }, { arbitrary: generated, weight: 1 })
        : generated;
    // Ids seen in responses (read when the value is drawn, so ids created meanwhile are used too): first
    // those of this resource, else any of that name.
    const fromPool = fc.nat().chain((i) => {
      const fits = (key: string) => (this.pool.get(key) ?? []).filter((value) => fitsType(schema, value));
      // A numeric `id` of a collection never listed on its own (`/analytics/datasources/{id}`) is a datasource's.
      const candidates =
        [fits(`${scope}#${name}`), fits(name), name === 'id' ? fits('datasourceId') : []].find(
          (list) => list.length > 0,
        ) ?? [];
      return candidates.length > 0 ? fc.constant(pick(candidates, i)) : base;
    });
    const withPool = ID_NAMES.has(name)
      ? fc.oneof({ arbitrary: fromPool, weight: 4 }, { arbitrary: base, weight: 1 })
      : base;
    return schema.nullable ? fc.option(withPool, { nil: null, freq: 6 }) : withPool;
  }

  private byType(schema: Schema, name: string, depth: number): fc.Arbitrary<unknown> {
    if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives) return fc.oneof(...alternatives.map((s) => this.valid(s, name, depth + 1)));
    switch (schema.type) {
      case 'string':
        return this.string(schema);
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 });
      case 'number': {
        // Swagger calls integers "number" too: mostly whole numbers, sometimes fractions.
        const min = schema.minimum ?? 0;
        const max = Math.min(schema.maximum ?? 1_000_000, 1_000_000);
        return fc.oneof(
          { arbitrary: fc.integer({ min: Math.ceil(min), max: Math.max(Math.ceil(min), Math.floor(max)) }), weight: 4 },
          {
            arbitrary: fc.integer({ min: Math.ceil(min * 100), max: Math.floor(max * 100) }).map((n) => n / 100),
            weight: 1,
          },
        );
      }
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.valid(schema.items ?? {}, name, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
        });
      case 'object':
        return this.object(schema, depth);
      default:
        // No type (a parameter described only by its example): a string like the example.
        return schema.properties ? this.object(schema, depth) : this.string(schema);
    }
  }

  private string(schema: Schema): fc.Arbitrary<string> {
    const maxLength = Math.min(schema.maxLength ?? 40, 60);
    const minLength = Math.min(schema.minLength ?? 0, maxLength);
    switch (schema.format) {
      case 'date-time':
        return fc
          .date({ min: new Date('2025-06-01T00:00:00Z'), max: new Date('2027-06-01T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString());
      case 'date':
        return fc
          .date({ min: new Date('2025-06-01T00:00:00Z'), max: new Date('2027-06-01T00:00:00Z'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      case 'uuid':
        return fc.uuid();
      case 'email':
        return fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 320));
      default:
        if (schema.pattern)
          return fc
            .stringMatching(new RegExp(schema.pattern))
            .filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? 1000));
        return fc.string({ minLength: Math.max(minLength, 1), maxLength: Math.max(maxLength, 1), unit: 'grapheme' });
    }
  }

  private object(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    if (!schema.properties || depth > 3) {
      return fc.dictionary(
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()),
        { maxKeys: 3 },
      );
    }
    const model = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, this.valid(value, key, depth + 1)]),
    );
    return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
  }

  /** Paths of a schema's properties (`a`, `a.b`), for mutations inside nested objects. */
  fieldPaths(input: Schema, prefix: string[] = [], depth = 0): string[][] {
    const schema = this.resolve(input);
    if (!schema.properties || depth > 2) return [];
    return Object.entries(schema.properties).flatMap(([key, child]) => [
      [...prefix, key],
      ...this.fieldPaths(child, [...prefix, key], depth + 1),
    ]);
  }

  /** Requests for one operation: mostly schema-valid, often with one hostile part. */
  request(op: Operation, exclude: (name: string, value: unknown) => boolean): fc.Arbitrary<FuzzRequest> {
    const paramValue = (p: Parameter): fc.Arbitrary<{ value: unknown; hostile: boolean }> =>
      fc.oneof(
        {
          arbitrary: this.valid(p.schema ?? { type: 'string' }, p.name, 0, resourceOf(op.path))
            .filter((v) => !exclude(p.name, v))
            .map((value) => ({ value, hostile: false })),
          weight: 6,
        },
        {
          arbitrary: fc
            .constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 2000))
            .map((value) => ({ value, hostile: true })),
          weight: 1,
        },
      );
    const path = fc.tuple(...op.pathParams.map(paramValue));
    const query = fc.tuple(
      ...op.queryParams.map((p) =>
        fc.option(
          fc.oneof(
            { arbitrary: paramValue(p), weight: 5 },
            { arbitrary: fc.constant({ value: ['1', '2'], hostile: true }), weight: 1 },
          ),
          { freq: 2 },
        ),
      ),
    );
    const extraQuery = fc.oneof(
      { arbitrary: fc.constant(null), weight: 10 },
      { arbitrary: fc.constantFrom(...EXTRA_KEYS), weight: 1 },
    );
    const windowSwap = fc.boolean();
    const body = op.body ? this.body(op.body) : fc.constant(null);
    return fc
      .tuple(path, query, extraQuery, windowSwap, body)
      .map(([pathValues, queryValues, extra, swap, bodyRequest]) => {
        const notes: string[] = [];
        let url = op.path;
        op.pathParams.forEach((p, i) => {
          url = url.replace(`{${p.name}}`, encode(asText(pathValues[i].value)));
          if (pathValues[i].hostile) notes.push(`path ${p.name}=${preview(pathValues[i].value)}`);
        });
        const pairs: [string, unknown][] = [];
        op.queryParams.forEach((p, i) => {
          const chosen = queryValues[i];
          if (chosen === null) return;
          pairs.push([p.name, chosen.value]);
          if (chosen.hostile) notes.push(`query ${p.name}=${preview(chosen.value)}`);
        });
        const from = pairs.find(([k]) => k === 'from');
        const to = pairs.find(([k]) => k === 'to');
        if (swap && from && to && typeof from[1] === 'string' && typeof to[1] === 'string') {
          [from[1], to[1]] = [to[1] > from[1] ? to[1] : from[1], to[1] > from[1] ? from[1] : to[1]];
          if (from[1] !== to[1]) notes.push('query from after to');
        }
        if (extra !== null) {
          pairs.push([extra, '1']);
          notes.push(`query extra ${extra}`);
        }
        const search = pairs
          .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((item) => `${encode(k)}=${encode(asText(item))}`))
          .join('&');
        if (bodyRequest?.note) notes.push(bodyRequest.note);
        return { url: search ? `${url}?${search}` : url, body: bodyRequest, note: notes.join('; ') };
      });
  }

  private body(schema: Schema): fc.Arbitrary<{ contentType: string | null; raw: string; note: string }> {
    const valid = this.valid(schema, '', 0);
    const paths = this.fieldPaths(schema);
    const json = (value: unknown, note = '') => ({ contentType: 'application/json', raw: toJson(value), note });
    const mutations: fc.Arbitrary<{ contentType: string | null; raw: string; note: string }>[] = [
      fc
        .tuple(valid, fc.constantFrom(...EXTRA_KEYS))
        .map(([v, key]) => json(withField(v, [key], { x: 1 }), `extra field ${key}`)),
    ];
    if (paths.length > 0) {
      mutations.push(
        fc
          .tuple(valid, fc.constantFrom(...paths), hostileValue(true))
          .map(([v, path, bad]) => json(withField(v, path, bad), `${path.join('.')}=${preview(bad)}`)),
        fc
          .tuple(valid, fc.constantFrom(...paths))
          .map(([v, path]) => json(withField(v, path, null), `${path.join('.')}=null`)),
        fc
          .tuple(valid, fc.constantFrom(...paths))
          .map(([v, path]) => json(withoutField(v, path), `without ${path.join('.')}`)),
      );
    }
    const whole = fc.constantFrom(
      { contentType: 'application/json', raw: DEEP_ARRAY.text, note: 'body: 5000 nested arrays' },
      { contentType: 'application/json', raw: DEEP_OBJECT.text, note: 'body: 5000 nested objects' },
      { contentType: 'application/json', raw: '{"name": "x", ', note: 'body: truncated JSON' },
      { contentType: 'application/json', raw: '{"secret-looking": tru', note: 'body: invalid JSON' },
      { contentType: 'application/json', raw: 'null', note: 'body: null' },
      { contentType: 'application/json', raw: '[]', note: 'body: []' },
      { contentType: 'application/json', raw: '"text"', note: 'body: a string' },
      { contentType: 'application/json', raw: '{"__proto__": {"isAdmin": true}}', note: 'body: __proto__' },
      { contentType: 'text/plain', raw: 'hello', note: 'body: text/plain' },
      { contentType: null, raw: '{"a":1}', note: 'body: no content type' },
    );
    const form = valid.map((v) => ({
      contentType: 'application/x-www-form-urlencoded',
      raw: formEncode(v),
      note: 'form-encoded body',
    }));
    return fc.oneof(
      { arbitrary: valid.map((v) => json(v)), weight: 6 },
      { arbitrary: fc.oneof(...mutations), weight: 5 },
      { arbitrary: form, weight: 1 },
      { arbitrary: whole, weight: 1 },
    );
  }
}

function mergeSchemas(a: Schema, b: Schema): Schema {
  return {
    ...a,
    ...b,
    properties: { ...(a.properties ?? {}), ...(b.properties ?? {}) },
    required: [...(a.required ?? []), ...(b.required ?? [])],
  };
}

const asText = (value: unknown): string =>
  value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);

const pick = <T>(items: T[], i: number): T => items[i % items.length];

const fitsType = (schema: Schema, value: unknown): boolean =>
  schema.type === 'integer' || schema.type === 'number'
    ? typeof value === 'number'
    : schema.format === 'uuid'
      ? typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value)
      : typeof value === 'string';

/** Percent-encodes UTF-8 bytes; a lone surrogate becomes U+FFFD as any HTTP client would send it (encodeURIComponent would throw). */
export function encode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** JSON text of a value, with RawJson pieces spliced in as they are and keys such as `__proto__` kept. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** A copy of an object with `path` set (own property, even for `__proto__`). */
function withField(value: unknown, path: string[], field: unknown): unknown {
  const base: Record<string, unknown> =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : {};
  const [head, ...rest] = path;
  Object.defineProperty(base, head, {
    value: rest.length === 0 ? field : withField(base[head], rest, field),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return base;
}

function withoutField(value: unknown, path: string[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy = { ...(value as Record<string, unknown>) };
  const [head, ...rest] = path;
  if (rest.length === 0) delete copy[head];
  else copy[head] = withoutField(copy[head], rest);
  return copy;
}

function formEncode(value: unknown): string {
  if (value === null || typeof value !== 'object') return `value=${encode(String(value))}`;
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${encode(k)}=${encode(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
    .join('&');
}

export function preview(value: unknown): string {
  const text =
    value instanceof RawJson
      ? `<${value.text.length} chars of nesting>`
      : typeof value === 'string'
        ? JSON.stringify(value)
        : toJson(value);
  return text.length > 60 ? `${text.slice(0, 40)}…(${text.length} chars)` : text;
}
