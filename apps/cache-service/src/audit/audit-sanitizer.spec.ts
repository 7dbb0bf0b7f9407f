import { auditParameters, boundedText, sanitizeParameters } from './audit-sanitizer.js';

// PostgreSQL's jsonb refuses these escapes: a row carrying one used to be lost.
const unstorableInJsonb = (value: unknown): boolean => /\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(JSON.stringify(value));

describe('audit parameters', () => {
  it('redacts secrets at any depth and bounds long strings', () => {
    const result = sanitizeParameters({
      email: 'a@b.c',
      password: 'p',
      nested: { apiKey: 'k', token: 't', keep: 1 },
      long: 'x'.repeat(2000),
    }) as Record<string, unknown>;
    expect(result).toMatchObject({
      email: 'a@b.c',
      password: '[redacted]',
      nested: { apiKey: '[redacted]', token: '[redacted]', keep: 1 },
    });
    expect((result.long as string).length).toBeLessThanOrEqual(500);
  });

  it('replaces NUL and unpaired surrogates, in values and in keys, so that jsonb can store the row', () => {
    const result = sanitizeParameters({ whereClause: "a = 'x\u0000'", name: 'a\ud800b', ['k\u0000\udc00']: 1 });
    expect(result).toEqual({ whereClause: "a = 'x\ufffd'", name: 'a\ufffdb', ['k\ufffd\ufffd']: 1 });
    expect(unstorableInJsonb(result)).toBe(false);
  });

  it('never cuts a surrogate pair in two when it shortens a text', () => {
    for (const text of ['😀'.repeat(400), `a${'😀'.repeat(400)}`]) {
      const cut = boundedText(text, 500);
      expect(cut.length).toBeLessThanOrEqual(500);
      expect(cut.endsWith('…')).toBe(true);
      expect(unstorableInJsonb(cut)).toBe(false);
    }
  });

  it('keeps __proto__ as a plain key, caps keys, items and depth, and summarises what is still too large', () => {
    const withProto = sanitizeParameters(JSON.parse('{"__proto__": {"isAdmin": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(withProto)).toBe(Object.prototype);
    expect(JSON.stringify(withProto)).toBe('{"__proto__":{"isAdmin":true}}');

    const wide = sanitizeParameters(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i]))) as Record<
      string,
      unknown
    >;
    expect(Object.keys(wide)).toHaveLength(51);
    expect(wide['[more keys]']).toBe(30);
    expect(sanitizeParameters({ a: { b: { c: { d: { e: 1 } } } } })).toEqual({ a: { b: { c: { d: '[nested]' } } } });
    expect(sanitizeParameters({ list: Array.from({ length: 60 }, () => 1) })).toEqual({
      list: [...Array.from({ length: 50 }, () => 1), '[10 more]'],
    });

    const large = auditParameters(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'x'.repeat(499)])));
    expect(large).toEqual({ '[too large]': expect.any(Number), keys: expect.arrayContaining(['k0', 'k49']) });
  });
});
