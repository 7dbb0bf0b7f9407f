import type { AuditEntry, Paginated, WarmResponse } from '@ccc/shared-types';
import { randomUUID } from 'node:crypto';
import { createDatasource } from './support/insights.js';
import { isolatedStack, type IsolatedStack } from './support/isolated-stack.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

/** Issue 12: an audit row names its target, also when the request named none ("warm all"). */
describe('the audit row of a warm of every datasource', () => {
  // A database of its own: "warm all" queues every datasource it holds, and must not warm other test files' ones.
  let stack: IsolatedStack;
  let t: TestApp;
  let admin: { token: string };

  beforeAll(async () => {
    stack = await isolatedStack('warmall');
    t = await createTestApp({
      ...stack.env,
      RATE_LIMIT_DEFAULT_PER_MINUTE: '100000',
      RATE_LIMIT_WARMING_PER_HOUR: '1000',
    });
    admin = await userWithToken(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
    await stack?.close();
  });

  const auditOf = async (correlationId: string): Promise<AuditEntry[]> => {
    const page = (
      await t.http
        .get('/api/admin/audit')
        .query({ action: 'cache.warm', pageSize: 200 })
        .set(bearer(admin.token))
        .expect(200)
    ).body as Paginated<AuditEntry>;
    return page.items.filter((row) => row.correlationId === correlationId);
  };

  it('names "all datasources" with their number, and one datasource by its id', async () => {
    await createDatasource(t, admin.token);
    const one = await createDatasource(t, admin.token);

    const all = `warm-all-${randomUUID()}`;
    const warmed = (
      await t.http
        .post('/api/admin/analytics/cache/warm')
        .set(bearer(admin.token))
        .set('X-Correlation-Id', all)
        .send({})
        .expect(202)
    ).body as WarmResponse;
    expect(warmed.results).toHaveLength(2);
    expect(await auditOf(all)).toEqual([
      expect.objectContaining({ outcome: 'success', targetType: 'datasource', targetId: 'all datasources (2)' }),
    ]);

    const single = `warm-one-${randomUUID()}`;
    await t.http
      .post('/api/admin/analytics/cache/warm')
      .set(bearer(admin.token))
      .set('X-Correlation-Id', single)
      .send({ datasourceId: one.id, force: true })
      .expect(202);
    expect(await auditOf(single)).toEqual([
      expect.objectContaining({ targetType: 'datasource', targetId: String(one.id) }),
    ]);

    // Refused before it ran (an invalid body): still named.
    const refused = `warm-bad-${randomUUID()}`;
    await t.http
      .post('/api/admin/analytics/cache/warm')
      .set(bearer(admin.token))
      .set('X-Correlation-Id', refused)
      .send({ force: 'yes' })
      .expect(400);
    expect(await auditOf(refused)).toEqual([
      expect.objectContaining({ outcome: 'failure', targetId: 'all datasources' }),
    ]);
  });
});
