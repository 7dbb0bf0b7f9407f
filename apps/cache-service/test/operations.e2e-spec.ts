import SwaggerParser from '@apidevtools/swagger-parser';
import { DataSource } from 'typeorm';
import { createTestApp, errorCode, type TestApp } from './support/test-app.js';

describe('operations surface', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('reports liveness and readiness of Redis, PostgreSQL and (role all) the warming workers without a credential', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      checks: { redis: { status: 'up' }, postgres: { status: 'up' }, workers: { status: 'up' } },
    });
    expect(ready.body.checks.workers.running).toBeGreaterThanOrEqual(1);
  });

  it('exposes Prometheus metrics with HTTP latency by route pattern and process metrics', async () => {
    await t.http.get('/api/admin/datasources/17').expect(401).expect(errorCode('UNAUTHENTICATED'));
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.text).toContain('ccc_process_resident_memory_bytes');
    expect(metrics.text).toMatch(/ccc_http_request_duration_seconds_bucket\{[^}]*route="\/health\/ready"/);
    expect(metrics.text).not.toContain('/api/admin/datasources/17');
  });

  it('exposes open alerts and recommendations waiting for a decision, as on-call dashboards read them', async () => {
    const db = t.app.get(DataSource);
    const gauge = async (): Promise<number> => {
      const text = (await t.http.get('/metrics').expect(200)).text;
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith('ccc_alerts_open_by_type{alert_type="DEADLOCK_COUNT_HIGH",severity="INFO",status="ACTIVE"}'),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    // The scrape's snapshot is shared for a second and refreshed by a database read, which a loaded machine delays:
    // scrape until the gauge shows the change (as Prometheus would on its next scrape), for at most 15 s.
    const gaugeBecomes = async (expected: number): Promise<number> => {
      const deadline = Date.now() + 15_000;
      let value = await gauge();
      while (value !== expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        value = await gauge();
      }
      return value;
    };
    expect((await t.http.get('/metrics').expect(200)).text).toMatch(/ccc_recommendations_open\{status="PENDING"\} \d+/);
    const before = await gauge();
    const [alert] = await db.query(
      `INSERT INTO cache_performance_alert (cache_layer_id, alert_type, severity, alert_message, threshold_value, actual_value, created_by)
       VALUES ('00000000-0000-0000-0000-00000000c001', 'DEADLOCK_COUNT_HIGH', 'INFO', 'metrics test', 1, 2, '00000000-0000-0000-0000-000000000000') RETURNING id`,
    );
    try {
      expect(await gaugeBecomes(before + 1)).toBe(before + 1);
    } finally {
      await db.query(
        `UPDATE cache_performance_alert SET alert_status = 'RESOLVED', resolved_at = now() WHERE id = $1`,
        [alert.id],
      );
    }
    expect(await gaugeBecomes(before)).toBe(before);
  });

  it('serves a valid OpenAPI 3 document and the Swagger UI', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(doc.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
      'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
    expect(doc.components.schemas.CreateDatasourceDto.required).toEqual(
      expect.arrayContaining(['name', 'sourceTable', 'columnMapping']),
    );
    const ui = await t.http.get('/api/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('answers errors as {code, message, correlationId} with the correlation id header, echoing a caller-supplied id', async () => {
    const response = await t.http.get('/api/no-such-route').set('X-Correlation-Id', 'trace-abc-123').expect(404);
    expect(response.headers['x-correlation-id']).toBe('trace-abc-123');
    expect(response.body).toEqual({ code: 'NOT_FOUND', message: expect.any(String), correlationId: 'trace-abc-123' });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('sets security headers and refuses cross-origin browsers by default', async () => {
    const response = await t.http.get('/health/live').set('Origin', 'https://evil.example').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows configured CORS origins', async () => {
    const app = await createTestApp({ CORS_ORIGINS: 'https://dash.example.com' });
    try {
      const response = await app.http.get('/health/live').set('Origin', 'https://dash.example.com').expect(200);
      expect(response.headers['access-control-allow-origin']).toBe('https://dash.example.com');
    } finally {
      await app.close();
    }
  });
});
