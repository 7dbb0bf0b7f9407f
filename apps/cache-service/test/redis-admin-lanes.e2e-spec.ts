import type { RedisKeysPage, RedisMemoryAnalysis, RedisPurgeResult, RedisSlowlogResponse } from '@ccc/shared-types';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { CacheKeys, RedisKeys } from '../src/redis/redis-keys.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

/** The Redis tools stay in the service's lane: other applications' keys, allowProtected and rate-limit counters. */
describe('Redis admin tools stay in their lane', () => {
  let t: TestApp;
  let redis: Redis;
  let admin: string;
  let operator: string;
  let viewer: string;
  const tag = randomUUID().slice(0, 8);
  const foreign = `session:${tag}:user-42`; // another application's key in the same Redis
  const bigForeign = `session:${tag}:big`; // …and one big enough to top any memory sample
  const lock = `lock:${tag}:x`;
  const throttleKeys = [
    RedisKeys.throttleHits('default', `ip:lanes-${tag}`),
    RedisKeys.loginFailures(`login:lanes-${tag}`),
  ];

  const purge = (token: string, body: Record<string, unknown>) =>
    t.http.post('/api/admin/redis/purge').set(bearer(token)).send(body);

  beforeAll(async () => {
    t = await createTestApp();
    redis = new Redis(t.config.redis.url);
    [admin, operator, viewer] = await Promise.all(
      (['admin', 'operator', 'viewer'] as const).map(async (role) => (await userWithToken(t, role)).token),
    );
    await redis.set(foreign, 'secret-session-data');
    await redis.set(bigForeign, 'x'.repeat(2_000_000));
    await redis.set(lock, '1');
    for (const key of throttleKeys) await redis.set(key, '3', 'EX', 600);
  });
  afterAll(async () => {
    await redis.unlink(foreign, bigForeign, lock, ...throttleKeys);
    redis.disconnect();
    await t.close();
  });

  it('refuses allowProtected to an operator with 403, for a dry run too, and deletes nothing', async () => {
    for (const dryRun of [true, false]) {
      const refused = await purge(operator, { pattern: `lock:${tag}:*`, dryRun, allowProtected: true }).expect(403);
      expect(refused.body).toMatchObject({
        code: 'FORBIDDEN',
        details: { reason: 'ADMIN_ONLY', field: 'allowProtected' },
      });
    }
    const ttl = await t.http
      .post('/api/admin/redis/ttl')
      .set(bearer(operator))
      .send({ key: lock, ttlSeconds: 100, allowProtected: true })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    expect(ttl.body.details.reason).toBe('ADMIN_ONLY');
    expect(await redis.exists(lock)).toBe(1);
    expect(await redis.ttl(lock)).toBe(-1);
  });

  it('never purges rate-limit and sign-in back-off counters, even for an admin with allowProtected', async () => {
    const dry = (
      await purge(admin, { pattern: `ccc:throttle:{*lanes-${tag}}*`, dryRun: true, allowProtected: true }).expect(200)
    ).body as RedisPurgeResult;
    expect(dry.matched).toBe(0);
    let run = (await purge(admin, { pattern: 'ccc:throttle:*', dryRun: false, allowProtected: true }).expect(200))
      .body as RedisPurgeResult;
    while (run.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await t.http.get(`/api/admin/redis/purge/${run.purgeId}`).set(bearer(admin)).expect(200))
        .body as RedisPurgeResult;
    }
    expect(run).toMatchObject({ status: 'completed', deleted: 0 });
    for (const key of throttleKeys) expect(await redis.get(key)).toBe('3');

    const ttl = await t.http
      .post('/api/admin/redis/ttl')
      .set(bearer(admin))
      .send({ key: throttleKeys[0], persist: true, allowProtected: true })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    expect(ttl.body.details.reason).toBe('RATE_LIMIT_KEYS');
    // An admin may still purge other protected keys when explicitly allowed.
    await purge(admin, { pattern: `lock:${tag}:*`, dryRun: false, allowProtected: true }).expect(200);
    expect(await redis.exists(lock)).toBe(0);
    await redis.set(lock, '1');
  });

  it('lets only an admin inspect, list, re-time or purge keys outside the service’s namespaces', async () => {
    for (const token of [operator, viewer]) {
      const refused = await t.http
        .get('/api/admin/redis/inspect')
        .query({ key: foreign })
        .set(bearer(token))
        .expect(403);
      expect(refused.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'ADMIN_ONLY', field: 'key' } });
      expect(JSON.stringify(refused.body)).not.toContain('secret-session-data');
      const page = (
        await t.http
          .get('/api/admin/redis/keys')
          .query({ pattern: `session:${tag}:*` })
          .set(bearer(token))
          .expect(200)
      ).body as RedisKeysPage;
      expect(page.keys).toEqual([]);
      const memory = (
        await t.http.get('/api/admin/redis/memory').query({ sample: 10_000, top: 100 }).set(bearer(token)).expect(200)
      ).body as RedisMemoryAnalysis;
      expect(memory.topKeys.map((entry) => entry.key).filter((key) => key.startsWith(`session:${tag}`))).toEqual([]);
    }
    const ttl = await t.http
      .post('/api/admin/redis/ttl')
      .set(bearer(operator))
      .send({ key: foreign, ttlSeconds: 5 })
      .expect(403)
      .expect(errorCode('FORBIDDEN'));
    expect(ttl.body.details.reason).toBe('ADMIN_ONLY');
    const operatorPurge = (await purge(operator, { pattern: `session:${tag}:*`, dryRun: false }).expect(200))
      .body as RedisPurgeResult;
    expect(operatorPurge.deleted ?? 0).toBe(0);
    expect(await redis.get(foreign)).toBe('secret-session-data');

    // The service's own keys stay open to operators and viewers.
    const meta = CacheKeys.meta(900_000 + Math.floor(Math.random() * 99_999));
    await redis.hset(meta, { gen: '1' });
    try {
      await t.http.get('/api/admin/redis/inspect').query({ key: meta }).set(bearer(viewer)).expect(200);
    } finally {
      await redis.del(meta);
    }

    const inspected = await t.http
      .get('/api/admin/redis/inspect')
      .query({ key: foreign })
      .set(bearer(admin))
      .expect(200);
    expect(inspected.body.namespace).toBe('other');
    const listed = (
      await t.http
        .get('/api/admin/redis/keys')
        .query({ pattern: `session:${tag}:*` })
        .set(bearer(admin))
        .expect(200)
    ).body as RedisKeysPage;
    expect(listed.keys.map((key) => key.key).sort()).toEqual([bigForeign, foreign].sort());
  });

  it('takes only the service’s exact key shapes for its own: other applications’ bull:*, lock:*, cache:* keys are admin-only', async () => {
    // Generic prefixes other applications use too: a BullMQ job of theirs (default prefix), their locks and caches.
    const lookalikes = [
      `bull:${tag}:emails:1`,
      `lock:${tag}`,
      `cache:meta:${tag}`,
      `cache:stats:${tag}`,
      `cache:usage:${tag}`,
      `cache:{ds:1}:${tag}`,
    ];
    for (const key of lookalikes) await redis.set(key, 'their-payload', 'EX', 600);
    try {
      for (const token of [operator, viewer]) {
        for (const key of lookalikes) {
          const refused = await t.http.get('/api/admin/redis/inspect').query({ key }).set(bearer(token)).expect(403);
          expect(refused.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'ADMIN_ONLY', field: 'key' } });
        }
        for (const pattern of [`bull:${tag}:*`, `lock:${tag}*`, `cache:*${tag}`]) {
          const page = (await t.http.get('/api/admin/redis/keys').query({ pattern }).set(bearer(token)).expect(200))
            .body as RedisKeysPage;
          expect(page.keys).toEqual([]);
        }
      }
      const ttl = await t.http
        .post('/api/admin/redis/ttl')
        .set(bearer(operator))
        .send({ key: `bull:${tag}:emails:1`, ttlSeconds: 5 })
        .expect(403)
        .expect(errorCode('FORBIDDEN'));
      expect(ttl.body.details.reason).toBe('ADMIN_ONLY');
      for (const pattern of [`bull:${tag}:*`, `lock:${tag}`, `cache:meta:${tag}`]) {
        const run = (await purge(operator, { pattern, dryRun: false }).expect(200)).body as RedisPurgeResult;
        expect(run.deleted).toBe(0);
      }
      expect(await redis.exists(...lookalikes)).toBe(lookalikes.length);
      expect(await redis.ttl(`bull:${tag}:emails:1`)).toBeGreaterThan(500);
      const inspected = await t.http
        .get('/api/admin/redis/inspect')
        .query({ key: `bull:${tag}:emails:1` })
        .set(bearer(admin))
        .expect(200);
      expect(inspected.body).toMatchObject({ namespace: 'other', protected: false });
    } finally {
      await redis.unlink(...lookalikes);
    }
  });
});

describe('Redis slow log for non-admins', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let t: TestApp;

  beforeAll(async () => {
    // A Redis of its own: every command is logged as slow here.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    redis = new Redis(redisServer.url);
    t = await createTestApp({ REDIS_URL: redisServer.url });
  });
  afterAll(async () => {
    await t?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('shows viewers and operators the command and the service’s own key, never other arguments; admins see them', async () => {
    const [viewer, operator, admin] = await Promise.all(
      (['viewer', 'operator', 'admin'] as const).map(async (role) => (await userWithToken(t, role)).token),
    );
    await redis.config('SET', 'slowlog-log-slower-than', '0');
    await redis.slowlog('RESET');
    const meta = CacheKeys.meta(4242);
    await redis.set('session:someone', 'their-secret-token');
    await redis.hset(meta, 'measureList', '["alice@example.com"]');
    await redis.config('SET', 'slowlog-log-slower-than', '10000');

    for (const token of [viewer, operator]) {
      const body = (await t.http.get('/api/admin/redis/slowlog').query({ limit: 100 }).set(bearer(token)).expect(200))
        .body as RedisSlowlogResponse;
      const commands = body.entries.map((entry) => entry.command);
      expect(JSON.stringify(body)).not.toMatch(/their-secret-token|session:someone|alice@example\.com/);
      expect(commands).toContainEqual(['set', '[2 argument(s) redacted]']);
      expect(commands).toContainEqual(['hset', meta, '[2 argument(s) redacted]']);
    }
    const full = (await t.http.get('/api/admin/redis/slowlog').query({ limit: 100 }).set(bearer(admin)).expect(200))
      .body as RedisSlowlogResponse;
    expect(full.entries.map((entry) => entry.command)).toContainEqual(['set', 'session:someone', 'their-secret-token']);
  });
});
