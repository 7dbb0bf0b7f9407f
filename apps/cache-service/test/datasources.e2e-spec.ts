import type { AuditEntry, Datasource, Paginated } from '@ccc/shared-types';
import { randomUUID } from 'node:crypto';
import { DemoSeedService } from '../src/demo/demo-seed.service.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

const MAPPING = {
  measure: 'measure',
  practice: 'practice_id',
  provider: 'provider_id',
  frequency: 'frequency',
  period: 'period_date',
  value: 'value',
};

describe('datasource registry', () => {
  let t: TestApp;
  let admin: { id: string; token: string };
  let viewer: { id: string; token: string };
  // The demo datasources' ids: other test files may have registered (and deleted) datasources before the seed ran.
  let revenueId: number;
  let operationalId: number;
  const uniqueName = (label: string): string => `${label} ${randomUUID().slice(0, 8)}`;
  const create = (body: Record<string, unknown>) =>
    t.http.post('/api/admin/datasources').set(bearer(admin.token)).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DemoSeedService).seed(0.02);
    admin = await userWithToken(t, 'admin');
    viewer = await userWithToken(t, 'viewer');
    const listed = (await t.http.get('/api/admin/datasources').set(bearer(admin.token)).expect(200))
      .body as Datasource[];
    revenueId = listed.find((d) => d.name === 'Revenue Analytics')!.id;
    operationalId = listed.find((d) => d.name === 'Operational Metrics')!.id;
  });
  afterAll(() => t.close());

  it('lists the demo datasources, seeded once however often the seed runs', async () => {
    await t.app.get(DemoSeedService).seed(0.02);
    const response = await t.http.get('/api/admin/datasources').set(bearer(viewer.token)).expect(200);
    const names = (response.body as Datasource[]).map((d) => d.name);
    for (const name of [
      'Revenue Analytics',
      'Operational Metrics',
      'Clinical Data',
      'Patient Experience',
      'Pharmacy Utilization',
    ]) {
      expect(names.filter((n) => n === name)).toHaveLength(1);
    }
    const clinical = (response.body as Datasource[]).find((d) => d.name === 'Clinical Data')!;
    expect(clinical.columnMapping.measure).toBe('metric_name');
  });

  it('creates, reads, updates and deletes a datasource', async () => {
    const name = uniqueName('Revenue copy');
    const created = (
      await create({
        name,
        sourceTable: 'demo_analytics.revenue_facts',
        columnMapping: MAPPING,
        warmSchedule: '*/15 * * * *',
      }).expect(201)
    ).body as Datasource;
    expect(created).toMatchObject({
      name,
      stalenessTtlSeconds: 14400,
      minWarmIntervalSeconds: 300,
      enabled: true,
      warmSchedule: '*/15 * * * *',
    });
    expect(created.id).toBeGreaterThan(0);

    const updated = await t.http
      .patch(`/api/admin/datasources/${created.id}`)
      .set(bearer(admin.token))
      .send({ stalenessTtlSeconds: 7200, warmSchedule: null, description: 'edited' })
      .expect(200);
    expect(updated.body).toMatchObject({ stalenessTtlSeconds: 7200, warmSchedule: null, description: 'edited', name });

    const fetched = await t.http.get(`/api/admin/datasources/${created.id}`).set(bearer(viewer.token)).expect(200);
    expect(fetched.body).toMatchObject({ stalenessTtlSeconds: 7200 });

    await t.http.delete(`/api/admin/datasources/${created.id}`).set(bearer(admin.token)).expect(204);
    await t.http
      .get(`/api/admin/datasources/${created.id}`)
      .set(bearer(admin.token))
      .expect(404)
      .expect(errorCode('NOT_FOUND'));
  });

  it.each([
    ['a wrong type', { stalenessTtlSeconds: 'soon' }, 'stalenessTtlSeconds'],
    ['a negative number', { minWarmIntervalSeconds: -1 }, 'minWarmIntervalSeconds'],
    ['an unknown field', { colour: 'blue' }, 'colour'],
    ['an oversized string', { name: 'x'.repeat(201) }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['an invalid cron expression', { warmSchedule: 'every day' }, 'warmSchedule'],
    ['SQL in a column name', { columnMapping: { ...MAPPING, value: 'value; DROP TABLE x' } }, 'columnMapping.value'],
    ['a missing column', { columnMapping: { ...MAPPING, value: 'no_such_column' } }, 'columnMapping.value'],
    ['a table that does not exist', { sourceTable: 'demo_analytics.nope' }, 'sourceTable'],
  ])('rejects %s with 400 naming the field', async (_label, patch, field) => {
    const response = await t.http
      .patch(`/api/admin/datasources/${revenueId}`)
      .set(bearer(admin.token))
      .send(patch)
      .expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
    expect(response.body.message).toEqual(expect.any(String));
  });

  it('answers 400 for malformed ids and 404 for unknown ones', async () => {
    for (const id of ['-1', '0', 'abc', '1.5', '99999999999']) {
      const response = await t.http
        .get(`/api/admin/datasources/${id}`)
        .set(bearer(admin.token))
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
      expect(response.body.details.fields[0].field).toBe('id');
    }
    const missing = await t.http.get('/api/admin/datasources/424242').set(bearer(admin.token)).expect(404);
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND', message: 'Datasource 424242 not found' });
  });

  it('refuses a duplicate name with 409', async () => {
    const response = await create({
      name: 'revenue analytics',
      sourceTable: 'demo_analytics.revenue_facts',
      columnMapping: MAPPING,
    }).expect(409);
    expect(response.body.code).toBe('CONFLICT');
  });

  it('answers malformed JSON and oversized bodies with 4xx, never 500', async () => {
    const malformed = await t.http
      .post('/api/admin/datasources')
      .set(bearer(admin.token))
      .set('Content-Type', 'application/json')
      .send('{"name":')
      .expect(400);
    expect(malformed.body.code).toBe('INVALID_JSON');
    const huge = await t.http
      .post('/api/admin/datasources')
      .set(bearer(admin.token))
      .send({ name: 'x'.repeat(2_000_000) })
      .expect(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('writes audit rows for edits, successful or not, filterable by user and action', async () => {
    await t.http
      .patch(`/api/admin/datasources/${operationalId}`)
      .set(bearer(admin.token))
      .send({ description: `audited ${Date.now()}` })
      .expect(200);
    await t.http
      .patch(`/api/admin/datasources/${operationalId}`)
      .set(bearer(admin.token))
      .send({ minWarmIntervalSeconds: -5 })
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));

    const response = await t.http
      .get('/api/admin/audit')
      .query({ actorId: admin.id, action: 'datasource.update', targetId: String(operationalId), pageSize: 10 })
      .set(bearer(viewer.token))
      .expect(200);
    const page = response.body as Paginated<AuditEntry>;
    expect(page.total).toBe(2);
    const [failure, success] = page.items;
    expect(failure).toMatchObject({
      action: 'datasource.update',
      targetType: 'datasource',
      targetId: String(operationalId),
      outcome: 'failure',
      statusCode: 400,
      errorCode: 'VALIDATION_FAILED',
      actorId: admin.id,
      actorKind: 'user',
    });
    expect(success).toMatchObject({ outcome: 'success', statusCode: 200, targetId: String(operationalId) });
    expect(success.parameters).toMatchObject({ description: expect.stringMatching(/^audited/) });

    const logins = await t.http
      .get('/api/admin/audit')
      .query({ actorId: admin.id, action: 'auth.login' })
      .set(bearer(viewer.token))
      .expect(200);
    expect((logins.body as Paginated<AuditEntry>).items[0]).toMatchObject({ outcome: 'success', actorKind: 'user' });

    const paged = await t.http
      .get('/api/admin/audit')
      .query({ page: 2, pageSize: 1, actorId: admin.id })
      .set(bearer(viewer.token))
      .expect(200);
    expect(paged.body).toMatchObject({ page: 2, pageSize: 1, items: [expect.any(Object)] });
    await t.http
      .get('/api/admin/audit')
      .query({ pageSize: 1000 })
      .set(bearer(viewer.token))
      .expect(400)
      .expect(errorCode('VALIDATION_FAILED'));
  });

  it('keeps passwords out of the audit trail', async () => {
    await t.http
      .post('/api/admin/users')
      .set(bearer(admin.token))
      .send({ email: `secret-${Date.now()}@test.local`, password: 'Very-Secret-Pass-1', role: 'viewer' })
      .expect(201);
    const response = await t.http
      .get('/api/admin/audit')
      .query({ actorId: admin.id, action: 'user.create' })
      .set(bearer(admin.token))
      .expect(200);
    const entry = (response.body as Paginated<AuditEntry>).items[0];
    expect(entry.parameters).toMatchObject({ password: '[redacted]' });
    expect(JSON.stringify(response.body)).not.toContain('Very-Secret-Pass-1');
  });
});
