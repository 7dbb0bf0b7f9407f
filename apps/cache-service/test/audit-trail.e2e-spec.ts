import { randomUUID } from 'node:crypto';
import { Controller, Inject, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuditEntry, Paginated } from '@ccc/shared-types';
import { DataSource } from 'typeorm';
import { Audited } from '../src/audit/audited.decorator.js';
import { AuditService } from '../src/audit/audit.service.js';
import { RequirePermissions } from '../src/access/auth.decorators.js';
import { DemoSeedService } from '../src/demo/demo-seed.service.js';
import { withRequestValues } from '../src/common/infrastructure-errors.js';
import { REDIS, type RedisClient } from '../src/redis/redis.module.js';
import { RedisKeys } from '../src/redis/redis-keys.js';
import { isolatedStack, type IsolatedStack } from './support/isolated-stack.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

const MAPPING = {
  measure: 'measure',
  practice: 'practice_id',
  provider: 'provider_id',
  frequency: 'frequency',
  period: 'period_date',
  value: 'value',
};
// jsonb refuses these escapes; a row holding one used to be lost.
const UNSTORABLE = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;

/** Issue 9, "the audit log never loses a successful change". */
describe('audit trail: hostile parameters', () => {
  let t: TestApp;
  let admin: { id: string; token: string };

  const rowsOf = async (correlationId: string): Promise<AuditEntry[]> => {
    const page = await t.http.get('/api/admin/audit?pageSize=200').set(bearer(admin.token)).expect(200);
    return (page.body as Paginated<AuditEntry>).items.filter((row) => row.correlationId === correlationId);
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DemoSeedService).seed(0.02);
    admin = await userWithToken(t, 'admin');
  });
  afterAll(() => t.close());

  it('refuses an admin whose display name holds a lone surrogate, and audits the refusal: never an account created without its row', async () => {
    const correlationId = `audit-${randomUUID()}`;
    const email = `hostile-${randomUUID().slice(0, 8)}@test.local`;
    const response = await t.http
      .post('/api/admin/users')
      .set(bearer(admin.token))
      .set('X-Correlation-Id', correlationId)
      .set('Content-Type', 'application/json')
      .send(`{"email":"${email}","password":"Long-Enough-1","role":"admin","displayName":"Eve \\ud800 \\u0000"}`);
    expect({
      status: response.status,
      code: response.body.code,
      fields: response.body.details?.fields?.map((f: { field: string }) => f.field),
    }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['displayName'],
    });
    const users = await t.http.get('/api/admin/users').set(bearer(admin.token)).expect(200);
    expect((users.body as { email: string }[]).map((u) => u.email)).not.toContain(email);
    const [row] = await rowsOf(correlationId);
    expect(row).toMatchObject({
      action: expect.any(String),
      outcome: 'failure',
      statusCode: 400,
      errorCode: 'VALIDATION_FAILED',
      actorId: admin.id,
    });
    expect(row.parameters).toMatchObject({ email, password: '[redacted]', displayName: 'Eve \ufffd \ufffd' });
  });

  it('refuses an API key whose name holds a lone surrogate with 400 naming name, and audits it', async () => {
    const correlationId = `audit-${randomUUID()}`;
    const response = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(admin.token))
      .set('X-Correlation-Id', correlationId)
      .set('Content-Type', 'application/json')
      .send('{"name":"svc-\\udfff","permissions":["analytics:read"]}');
    expect({
      status: response.status,
      fields: response.body.details?.fields?.map((f: { field: string }) => f.field),
    }).toEqual({ status: 400, fields: ['name'] });
    expect(await rowsOf(correlationId)).toEqual([expect.objectContaining({ outcome: 'failure', statusCode: 400 })]);
  });

  it('audits a created API key without its key material, and a datasource whose long emoji description the trail has to shorten', async () => {
    const keyCorrelation = `audit-${randomUUID()}`;
    const created = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(admin.token))
      .set('X-Correlation-Id', keyCorrelation)
      .send({ name: `😀 ${'🔑'.repeat(49)}`, permissions: ['analytics:read'] })
      .expect(201);
    const [keyRow] = await rowsOf(keyCorrelation);
    expect(keyRow).toMatchObject({ outcome: 'success', targetId: created.body.id });
    expect(JSON.stringify(keyRow)).not.toContain(created.body.key);

    // 999 UTF-16 units: the trail keeps 500, which would end in half of an emoji if cut blindly.
    const description = `a${'😀'.repeat(499)}`;
    const correlationId = `audit-${randomUUID()}`;
    const datasource = await t.http
      .post('/api/admin/datasources')
      .set(bearer(admin.token))
      .set('X-Correlation-Id', correlationId)
      .send({
        name: `emoji ${randomUUID().slice(0, 8)}`,
        description,
        sourceTable: 'demo_analytics.revenue_facts',
        columnMapping: MAPPING,
      })
      .expect(201);
    expect(datasource.body.description).toBe(description);
    const [row] = await rowsOf(correlationId);
    expect(row).toMatchObject({ outcome: 'success', targetId: String(datasource.body.id) });
    const kept = (row.parameters as { description: string }).description;
    expect(kept.endsWith('…')).toBe(true);
    expect(kept.length).toBeLessThanOrEqual(500);
    expect(JSON.stringify(kept)).not.toMatch(UNSTORABLE);
  });
});

describe('audit trail: PostgreSQL refusing the row', () => {
  let stack: IsolatedStack;
  let t: TestApp;
  let admin: { id: string; token: string };
  let db: DataSource;

  beforeAll(async () => {
    stack = await isolatedStack('audit');
    t = await createTestApp(stack.env);
    admin = await userWithToken(t, 'admin');
    db = stack.db;
    // A fault of the audit table only: unavailable (P0001) or refusing a row's content (22023, a data error).
    await db.query(`
      CREATE FUNCTION audit_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'audit_fault_down') THEN RAISE EXCEPTION 'audit table unavailable'; END IF;
        IF NEW.parameters ? 'poison' THEN RAISE EXCEPTION 'refused content' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER audit_fault BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_fault();
    `);
  });
  afterAll(async () => {
    await t?.close();
    await stack?.close();
  });

  const rows = (correlationId: string) =>
    db.query(`SELECT outcome, status_code, parameters, occurred_at FROM audit_log WHERE correlation_id = $1`, [
      correlationId,
    ]) as Promise<{ outcome: string; status_code: number; parameters: Record<string, unknown>; occurred_at: Date }[]>;

  it('answers a successful change while the audit table is down, and writes its row from the Redis outbox once the table is back', async () => {
    await db.query('CREATE TABLE audit_fault_down ()');
    const correlationId = `outbox-${randomUUID()}`;
    const before = Date.now();
    const created = await t.http
      .post('/api/admin/monitoring/thresholds')
      .set(bearer(admin.token))
      .set('X-Correlation-Id', correlationId)
      .send({ metricType: 'EVICTION_RATE', warningThreshold: 10, criticalThreshold: 20 })
      .expect(201);
    expect(await rows(correlationId)).toEqual([]);
    expect(await t.app.get<RedisClient>(REDIS).llen(RedisKeys.auditOutbox())).toBe(1);

    // While the table is still down, a retry keeps the row in the outbox.
    await expect(t.app.get(AuditService).drainOutbox()).rejects.toThrow(/unavailable/);
    expect(await t.app.get<RedisClient>(REDIS).llen(RedisKeys.auditOutbox())).toBe(1);

    await db.query('DROP TABLE audit_fault_down');
    // (The retry loop may get there first; either way the row is written once.)
    await t.app.get(AuditService).drainOutbox();
    const [row] = await rows(correlationId);
    expect(row).toMatchObject({
      outcome: 'success',
      status_code: 201,
      parameters: expect.objectContaining({ metricType: 'EVICTION_RATE' }),
    });
    // The row carries the time of the change, not of the retry.
    expect(row.occurred_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.occurred_at.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await t.app.get<RedisClient>(REDIS).llen(RedisKeys.auditOutbox())).toBe(0);
    await t.http.get(`/api/admin/monitoring/thresholds/${created.body.id}`).set(bearer(admin.token)).expect(200);
  });

  it('writes a row whose parameters PostgreSQL refuses without them, rather than losing it', async () => {
    const correlationId = `poison-${randomUUID()}`;
    await t.app.get(AuditService).record({
      actor: { kind: 'user', id: admin.id, name: 'admin', role: 'admin', permissions: [] },
      action: 'test.poison',
      parameters: { poison: true },
      outcome: 'success',
      correlationId,
    });
    expect(await rows(correlationId)).toEqual([
      expect.objectContaining({ outcome: 'success', parameters: { '[unstorable]': '22023' } }),
    ]);
  });

  it('caps the outbox (AUDIT_OUTBOX_MAX_ROWS): a row beyond it is lost loudly and counted on /metrics; nobody purges or re-times the outbox', async () => {
    const capped = await createTestApp({ ...stack.env, AUDIT_OUTBOX_MAX_ROWS: '2' });
    const redis = capped.app.get<RedisClient>(REDIS);
    const outbox = RedisKeys.auditOutbox();
    const metric = async (name: string): Promise<number> => {
      const text = (await capped.http.get('/metrics').expect(200)).text;
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };
    const retimed = `outbox-test:${randomUUID()}`;
    await redis.set(retimed, '1');
    const change = () =>
      capped.http
        .post('/api/admin/redis/ttl')
        .set(bearer(admin.token))
        .send({ key: retimed, ttlSeconds: 600 })
        .expect(200);
    // Another replica holds the drain lease: nothing empties the outbox while the table is down.
    await redis.set(RedisKeys.lease('audit-outbox'), 'another-replica', 'PX', 120_000);
    await db.query('CREATE TABLE audit_fault_down ()');
    try {
      await redis.unlink(outbox);
      await change();
      await change();
      expect(await redis.llen(outbox)).toBe(2);
      const lostBefore = await metric('ccc_audit_rows_lost_total');
      await change();
      expect(await redis.llen(outbox)).toBe(2);
      expect(await metric('ccc_audit_rows_lost_total')).toBe(lostBefore + 1);
      expect(await metric('ccc_audit_outbox_rows')).toBe(2);

      // Not even an admin allowing protected keys touches it: purging or re-timing it would lose audit rows.
      const purge = await capped.http
        .post('/api/admin/redis/purge')
        .set(bearer(admin.token))
        .send({ pattern: 'ccc:audit:*', dryRun: false, allowProtected: true })
        .expect(200);
      expect(purge.body).toMatchObject({ status: 'completed', deleted: 0 });
      const ttl = await capped.http
        .post('/api/admin/redis/ttl')
        .set(bearer(admin.token))
        .send({ key: outbox, ttlSeconds: 1, allowProtected: true })
        .expect(403);
      expect(ttl.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'AUDIT_OUTBOX', field: 'key' } });
      expect(await redis.llen(outbox)).toBe(2);
      expect(await redis.ttl(outbox)).toBe(-1);
    } finally {
      await db.query('DROP TABLE IF EXISTS audit_fault_down');
      await redis.unlink(RedisKeys.lease('audit-outbox'));
      await capped.app.get(AuditService).drainOutbox();
      await capped.close();
    }
  });
});

// Stand-ins for routes that fail on a database or Redis error caused by the request: the filter answers those 4xx.
@Controller('test-only/faults')
class FaultyController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  @Post('division')
  @RequirePermissions('settings:write:all')
  @Audited('test.division', 'test')
  async division(): Promise<void> {
    // A statement carrying a request's values (the one case where a data error is the client's).
    await withRequestValues(() => this.db.query('SELECT 1 / $1::int', [0]), 'divisor');
  }

  @Post('own-division')
  @RequirePermissions('settings:write:all')
  @Audited('test.own-division', 'test')
  async ownDivision(): Promise<void> {
    await this.db.query('SELECT 1 / 0');
  }

  @Post('duplicate')
  @RequirePermissions('settings:write:all')
  @Audited('test.duplicate', 'test')
  async duplicate(): Promise<void> {
    await this.db.query(`INSERT INTO app_user (email, role) SELECT email, role FROM app_user LIMIT 1`);
  }

  @Post('not-a-number')
  @RequirePermissions('settings:write:all')
  @Audited('test.not-a-number', 'test')
  async notANumber(): Promise<void> {
    await this.redis.incrby(`test-only:${randomUUID()}`, 'x' as unknown as number);
  }
}

describe('audit trail: a failure row says what the client was answered', () => {
  let t: TestApp;
  let admin: { id: string; token: string };

  beforeAll(async () => {
    t = await createTestApp({}, { controllers: [FaultyController] });
    admin = await userWithToken(t, 'admin');
  });
  afterAll(() => t.close());

  it.each([
    ['division', 400, 'VALIDATION_FAILED'],
    ['duplicate', 409, 'CONFLICT'],
    ['not-a-number', 400, 'VALIDATION_FAILED'],
    ['own-division', 500, 'INTERNAL'],
  ])('records the status and code of the answer to a %s error', async (route, status, code) => {
    const correlationId = `fault-${randomUUID()}`;
    const response = await t.http
      .post(`/api/test-only/faults/${route}`)
      .set(bearer(admin.token))
      .set('X-Correlation-Id', correlationId);
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    const [row] = (await t.app
      .get(DataSource)
      .query(`SELECT outcome, status_code, error_code FROM audit_log WHERE correlation_id = $1`, [
        correlationId,
      ])) as Array<{
      outcome: string;
      status_code: number;
      error_code: string;
    }>;
    expect(row).toEqual({ outcome: 'failure', status_code: status, error_code: code });
  });
});
