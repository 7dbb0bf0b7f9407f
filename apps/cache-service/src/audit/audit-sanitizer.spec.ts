import { sanitizeParameters } from './audit.service.js';

describe('sanitizeParameters', () => {
  it('redacts secrets at any depth and bounds long strings', () => {
    const result = sanitizeParameters({
      email: 'a@b.c',
      password: 'p',
      nested: { apiKey: 'k', token: 't', keep: 1 },
      long: 'x'.repeat(2000),
    }) as Record<string, unknown>;
    expect(result).toMatchObject({ email: 'a@b.c', password: '[redacted]', nested: { apiKey: '[redacted]', token: '[redacted]', keep: 1 } });
    expect((result.long as string).length).toBeLessThan(510);
  });

  it('spells out NUL characters, which PostgreSQL jsonb cannot store, so such a request is still audited', () => {
    expect(sanitizeParameters({ whereClause: "a = 'x\u0000'" })).toEqual({ whereClause: "a = 'x\\u0000'" });
  });
});
