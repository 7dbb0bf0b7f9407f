import { findInputProblem, MAX_JSON_DEPTH, safeText } from './input-guard.js';

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

  it('names the field holding a NUL or an unpaired surrogate, with the path validation errors use', () => {
    const fieldOf = (value: unknown, root: string | null = null) => (findInputProblem(value, root)?.details as { fields: { field: string }[] }).fields[0].field;
    expect(fieldOf({ name: 'a\u0000b' })).toBe('name');
    expect(fieldOf({ columnMapping: { measure: '\ud800' } })).toBe('columnMapping.measure');
    expect(fieldOf({ permissions: ['ok', 'x\udc00'] })).toBe('permissions.1');
    expect(fieldOf('a\u0000', 'id')).toBe('id');
    expect(findInputProblem({ name: 'emoji 😀 and ü are fine', list: ['\u2028', '\\u0000 as text'] })).toBeNull();
  });

  it('refuses keys that name a prototype or hold unsafe characters, naming them', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const problem = findInputProblem(JSON.parse(`{"outer": {"${key}": {"isAdmin": true}}}`));
      expect(problem?.details).toEqual({ fields: [{ field: `outer.${key}`, messages: [`property ${key} should not exist`] }] });
    }
    expect((findInputProblem({ ['k\u0000']: 1 })?.details as { fields: { field: string }[] }).fields[0].field).toBe('k\ufffd');
  });

  it('safeText replaces only NUL and unpaired surrogates', () => {
    expect(safeText('a\u0000b\ud800c😀\udc00')).toBe('a\ufffdb\ufffdc😀\ufffd');
  });
});
