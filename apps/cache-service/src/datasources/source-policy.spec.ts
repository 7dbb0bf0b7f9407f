import { loadConfig } from '../config/app-config.js';
import { AppError } from '../common/app-error.js';
import { parseSourceName } from './source-name.js';
import { SourcePolicy } from './source-policy.js';

describe('source names and the allow-list', () => {
  it('reads only plain identifiers, schema-qualified (unqualified means public), and quotes them for SQL', () => {
    expect(parseSourceName('demo_analytics.revenue_facts')).toEqual({
      schema: 'demo_analytics',
      table: 'revenue_facts',
      qualified: 'demo_analytics.revenue_facts',
      sql: '"demo_analytics"."revenue_facts"',
    });
    expect(parseSourceName('app_user')).toMatchObject({ schema: 'public', qualified: 'public.app_user' });
    for (const name of ['"public"."app_user"', 'a.b.c', 'public.app_user;', 'x y', '', `s.${'t'.repeat(64)}`])
      expect(parseSourceName(name)).toBeNull();
  });

  it('keeps every accepted name storable: parts of at most 63 characters, at most 100 qualified (public. included)', () => {
    expect(parseSourceName(`${'s'.repeat(36)}.${'t'.repeat(63)}`)?.qualified).toHaveLength(100);
    expect(parseSourceName(`${'s'.repeat(37)}.${'t'.repeat(63)}`)).toBeNull();
    expect(parseSourceName('t'.repeat(63))?.qualified).toBe(`public.${'t'.repeat(63)}`);
    expect(parseSourceName(42)).toBeNull();
  });

  it('allows exactly the configured schemas, case included', () => {
    const policy = new SourcePolicy(loadConfig({ SOURCE_SCHEMAS: 'demo_analytics,sales' }));
    expect(policy.allowedName('sales.orders')?.sql).toBe('"sales"."orders"');
    for (const name of ['public.app_user', 'app_user', 'Sales.orders', 'pg_catalog.pg_authid', 'SALES.orders'])
      expect(policy.allowedName(name)).toBeNull();
    let refused: unknown;
    try {
      policy.assertAllowed('public.app_user', 'tableName');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      code: 'SOURCE_NOT_ALLOWED',
      details: { fields: [{ field: 'tableName' }], allowedSchemas: ['demo_analytics', 'sales'] },
    });
    expect(() => policy.assertAllowed('"public".x')).toThrow(/sourceTable must be a table name/);
  });
});
