import { findInputProblem, MAX_INPUT_VALUES, MAX_JSON_DEPTH, safeText } from './input-guard.js';

const nest = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = { a: value };
  return value;
};

describe('findInputProblem', () => {
  it('refuses nesting past MAX_JSON_DEPTH with INVALID_JSON, without recursing (5000 levels would overflow a recursive walk)', () => {
    expect(findInputProblem(nest(MAX_JSON_DEPTH - 1))).toBeNull();
    expect(findInputProblem(nest(MAX_JSON_DEPTH + 1))?.code).toBe('INVALID_JSON');
    expect(findInputProblem(JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`))?.code).toBe('INVALID_JSON');
  });

  it('refuses more than MAX_INPUT_VALUES keys and items, counted over every level, with PAYLOAD_TOO_LARGE', () => {
    expect(findInputProblem(new Array(MAX_INPUT_VALUES).fill(0))).toBeNull();
    expect(findInputProblem(new Array(MAX_INPUT_VALUES + 1).fill(0))).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { maxValues: MAX_INPUT_VALUES },
    });
    // 2 keys + 2 × 5,000 items: over the cap although no array is.
    expect(findInputProblem({ a: new Array(5_000).fill({}), b: new Array(5_000).fill('x') })?.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    // The walk stops at the cap: a problem after it is not reached.
    expect(findInputProblem([...new Array(MAX_INPUT_VALUES).fill(0), 'a\u0000'])?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('names the field holding a NUL or an unpaired surrogate, with the path validation errors use', () => {
    const fieldOf = (value: unknown, root: string | null = null) =>
      (findInputProblem(value, root)?.details as { fields: { field: string }[] }).fields[0].field;
    expect(fieldOf({ name: 'a\u0000b' })).toBe('name');
    expect(fieldOf({ columnMapping: { measure: '\ud800' } })).toBe('columnMapping.measure');
    expect(fieldOf({ permissions: ['ok', 'x\udc00'] })).toBe('permissions.1');
    expect(fieldOf('a\u0000', 'id')).toBe('id');
    expect(fieldOf('a\u0000')).toBe('body');
    expect(fieldOf(['a\u0000'])).toBe('0');
    expect(fieldOf([{ list: [1, { deep: '\udc00' }] }], 'items')).toBe('items.0.list.1.deep');
    expect(findInputProblem({ name: 'emoji 😀 and ü are fine', list: ['\u2028', '\\u0000 as text'] })).toBeNull();
  });

  it('refuses keys that name a prototype or hold unsafe characters, naming them', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const problem = findInputProblem(JSON.parse(`{"outer": {"${key}": {"isAdmin": true}}}`));
      expect(problem?.details).toEqual({
        fields: [{ field: `outer.${key}`, messages: [`property ${key} should not exist`] }],
      });
    }
    expect((findInputProblem({ ['k\u0000']: 1 })?.details as { fields: { field: string }[] }).fields[0].field).toBe(
      'k\ufffd',
    );
  });

  it('safeText replaces only NUL and unpaired surrogates', () => {
    expect(safeText('a\u0000b\ud800c😀\udc00')).toBe('a\ufffdb\ufffdc😀\ufffd');
  });
});
