import { randomUUID } from 'node:crypto';
import type { Datasource, ErrorResponse, PerformanceThreshold, UserSummary } from '@ccc/shared-types';
import { DemoSeedService } from '../src/demo/demo-seed.service.js';
import { REDIS, type RedisClient } from '../src/redis/redis.module.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

const MAPPING = {
  measure: 'measure',
  practice: 'practice_id',
  provider: 'provider_id',
  frequency: 'frequency',
  period: 'period_date',
  value: 'value',
};
const DEEP_BODY = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

/** Issue 9, "every input is handled": one test per class of input that used to answer 500 or be accepted against the contract. */
describe('every input is handled', () => {
  let t: TestApp;
  let admin: { id: string; email: string; token: string };
  let datasource: Datasource;

  const fieldsOf = (body: ErrorResponse): string[] => (body.details?.fields ?? []).map((f) => f.field);
  const expectInvalid = (response: { status: number; body: ErrorResponse }, ...fields: string[]) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(fieldsOf(response.body)).toEqual(expect.arrayContaining(fields));
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DemoSeedService).seed(0.02);
    admin = await userWithToken(t, 'admin');
    const created = await t.http
      .post('/api/admin/datasources')
      .set(bearer(admin.token))
      .send({
        name: `robust ${randomUUID().slice(0, 8)}`,
        sourceTable: 'demo_analytics.revenue_facts',
        columnMapping: MAPPING,
      })
      .expect(201);
    datasource = created.body as Datasource;
  });
  afterAll(() => t.close());

  it('refuses a body nested 5000 levels deep with 400 INVALID_JSON on every body-taking route, the unauthenticated login included', async () => {
    for (const [path, token] of [
      ['/api/auth/login', null],
      ['/api/admin/datasources', admin.token],
      ['/api/admin/redis/ttl', admin.token],
    ] as const) {
      const request = t.http.post(path).set('Content-Type', 'application/json');
      const response = await (token ? request.set(bearer(token)) : request).send(DEEP_BODY);
      expect({ path, status: response.status, code: response.body.code }).toEqual({
        path,
        status: 400,
        code: 'INVALID_JSON',
      });
    }
  });

  it('refuses a body of more than 10,000 values with 413 PAYLOAD_TOO_LARGE, on the unauthenticated login too', async () => {
    // Just under the 1 MB body limit: half a million items the input guard used to walk one by one before any credential check.
    const flat = `[${new Array(500_000).fill('0').join(',')}]`;
    const wide = JSON.stringify({
      email: 'a@test.local',
      password: 'x',
      extra: Array.from({ length: 10_001 }, (_, i) => i),
    });
    for (const body of [flat, wide]) {
      const response = await t.http.post('/api/auth/login').set('Content-Type', 'application/json').send(body);
      expect({
        status: response.status,
        code: response.body.code,
        maxValues: response.body.details?.maxValues,
      }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE', maxValues: 10_000 });
    }
  });

  it('refuses a NUL character in a body field with 400 naming the field', async () => {
    const response = await t.http
      .patch(`/api/admin/datasources/${datasource.id}`)
      .set(bearer(admin.token))
      .send({ description: 'a\u0000b' });
    expectInvalid(response, 'description');
    const nested = await t.http
      .post('/api/admin/monitoring/thresholds')
      .set(bearer(admin.token))
      .send({
        metricType: 'CACHE_AGE',
        warningThreshold: 100,
        criticalThreshold: 200,
        alertConfiguration: { channel: 'ops\u0000' },
      });
    expectInvalid(nested, 'alertConfiguration.channel');
  });

  it('refuses a NUL character in a query parameter and in a cold-cache query filter with 400 naming it', async () => {
    expectInvalid(await t.http.get('/api/admin/audit?action=a%00b').set(bearer(admin.token)), 'action');
    expectInvalid(
      await t.http.get(`/api/analytics/datasources/${datasource.id}/query?measure=Charges%00`).set(bearer(admin.token)),
      'measure',
    );
  });

  it('refuses a lone UTF-16 surrogate in an email with 400 naming email, on sign-in and on user creation', async () => {
    const login = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email":"a\\ud800@test.local","password":"whatever-123"}');
    expectInvalid(login, 'email');
    const create = await t.http
      .post('/api/admin/users')
      .set(bearer(admin.token))
      .set('Content-Type', 'application/json')
      .send('{"email":"x\\udc00y@test.local","password":"Long-Enough-1","role":"viewer"}');
    expectInvalid(create, 'email');
  });

  it('refuses impossible calendar dates such as 2026-02-30 with 400 naming the field', async () => {
    expectInvalid(await t.http.get('/api/admin/audit?from=2026-02-30T00:00:00Z').set(bearer(admin.token)), 'from');
    expectInvalid(
      await t.http.get('/api/admin/analytics/cache/warming/jobs?to=2026-02-30').set(bearer(admin.token)),
      'to',
    );
    const key = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(admin.token))
      .send({ name: 'dated', permissions: ['analytics:read'], expiresAt: '2026-02-30T10:00:00Z' });
    expectInvalid(key, 'expiresAt');
  });

  it('refuses from later than to with 400 naming both', async () => {
    for (const path of ['/api/admin/audit', '/api/admin/analytics/cache/warming/jobs']) {
      expectInvalid(
        await t.http.get(`${path}?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`).set(bearer(admin.token)),
        'from',
        'to',
      );
    }
  });

  it('treats null for a field that cannot be null as absent on an update, never writing it, your own account included', async () => {
    const threshold = (
      await t.http
        .post('/api/admin/monitoring/thresholds')
        .set(bearer(admin.token))
        .send({ metricType: 'EVICTION_RATE', warningThreshold: 10, criticalThreshold: 20 })
        .expect(201)
    ).body as PerformanceThreshold;
    const patched = await t.http
      .patch(`/api/admin/monitoring/thresholds/${threshold.id}`)
      .set(bearer(admin.token))
      .send({ warningThreshold: null, criticalThreshold: 30, alertEnabled: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ warningThreshold: 10, criticalThreshold: 30, alertEnabled: true });

    const renamed = await t.http
      .patch(`/api/admin/datasources/${datasource.id}`)
      .set(bearer(admin.token))
      .send({ name: null, sourceTable: null, stalenessTtlSeconds: null, enabled: null });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: datasource.name, sourceTable: datasource.sourceTable, enabled: true });

    const self = await t.http
      .patch(`/api/admin/users/${admin.id}`)
      .set(bearer(admin.token))
      .send({ role: null, isActive: null });
    expect(self.status).toBe(200);
    expect(self.body as UserSummary).toMatchObject({ role: 'admin', isActive: true });

    // Nullable fields keep their meaning: null clears them.
    const cleared = await t.http
      .patch(`/api/admin/datasources/${datasource.id}`)
      .set(bearer(admin.token))
      .send({ description: null })
      .expect(200);
    expect(cleared.body.description).toBeNull();
  });

  it('refuses null for a required field with 400 naming it', async () => {
    const response = await t.http
      .post('/api/admin/monitoring/thresholds')
      .set(bearer(admin.token))
      .send({ metricType: 'EVICTION_RATE', warningThreshold: null, criticalThreshold: 20 });
    expectInvalid(response, 'warningThreshold');
    const user = await t.http
      .post('/api/admin/users')
      .set(bearer(admin.token))
      .send({ email: `n-${randomUUID().slice(0, 8)}@test.local`, password: 'Long-Enough-1', role: null });
    expectInvalid(user, 'role');
  });

  it('answers a bad TTL with 400 instead of passing Redis its error', async () => {
    const key = `robust:ttl:${randomUUID()}`;
    await t.app.get<RedisClient>(REDIS).set(key, 'v', 'EX', 600);
    const response = await t.http.post('/api/admin/redis/ttl').set(bearer(admin.token)).send({ key, ttlSeconds: null });
    expectInvalid(response, 'ttlSeconds');
    expect(await t.app.get<RedisClient>(REDIS).ttl(key)).toBeGreaterThan(500);
  });

  it('refuses columnMapping: [] and other arrays where an object is expected with 400 naming the field', async () => {
    const create = await t.http
      .post('/api/admin/datasources')
      .set(bearer(admin.token))
      .send({ name: `cm ${randomUUID().slice(0, 8)}`, sourceTable: 'demo_analytics.revenue_facts', columnMapping: [] });
    expectInvalid(create, 'columnMapping');
    const update = await t.http
      .patch(`/api/admin/datasources/${datasource.id}`)
      .set(bearer(admin.token))
      .send({ columnMapping: [MAPPING] });
    expectInvalid(update, 'columnMapping');
  });

  it('refuses __proto__, constructor and prototype as fields with 400 naming them, in bodies and queries', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const body = `{"name":"x","sourceTable":"demo_analytics.revenue_facts","columnMapping":${JSON.stringify(MAPPING)},${JSON.stringify(key)}:{"isAdmin":true}}`;
      const response = await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin.token))
        .set('Content-Type', 'application/json')
        .send(body);
      expectInvalid(response, key);
      expectInvalid(await t.http.get(`/api/admin/audit?${key}=1`).set(bearer(admin.token)), key);
    }
  });

  it('refuses fields sent to an operation that takes no body, naming them, and still takes an empty one', async () => {
    expectInvalid(
      await t.http.post('/api/admin/redis/slowlog/reset').set(bearer(admin.token)).send({ everything: true }),
      'everything',
    );
    await t.http.post('/api/admin/redis/slowlog/reset').set(bearer(admin.token)).send({}).expect(200);
  });

  it('refuses a form-encoded or text body on a JSON route with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const form = await t.http
      .post('/api/auth/login')
      .type('form')
      .send({ email: admin.email, password: 'whatever-123' });
    expect({ status: form.status, code: form.body.code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    const text = await t.http
      .patch(`/api/admin/datasources/${datasource.id}`)
      .set(bearer(admin.token))
      .set('Content-Type', 'text/plain')
      .send('{"name":"x"}');
    expect({ status: text.status, code: text.body.code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers a JSON parse error with a generic message (and the position where the parser gives one), never a piece of the input', async () => {
    const secret = 'sk_live_do_not_echo';
    const response = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"email": "a@b.c", "password": ${secret}}`);
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'INVALID_JSON' });
    expect(response.body.message).toMatch(/^Request body is not valid JSON/);
    expect(JSON.stringify(response.body)).not.toContain('sk_live');
    const truncated = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.c", "password": "x", ');
    expect(truncated.body).toMatchObject({ code: 'INVALID_JSON', details: { position: 36 } });
    expect(truncated.body.message).toContain('at position 36');
    expect(response.body.correlationId).toBe(response.headers['x-correlation-id']);
  });
});
