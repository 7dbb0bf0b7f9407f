import type {
  AuditEntry,
  Paginated,
  RedisKeyInspection,
  RedisKeysPage,
  RedisMemoryAnalysis,
  RedisPurgeResult,
  RedisSlowlogResponse,
  RedisStatsResponse,
  RedisTtlResponse,
} from '@ccc/shared-types';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { encodeStoredEntry } from '../src/analytics-cache/entry-codec.js';
import { CacheKeys } from '../src/redis/redis-keys.js';
import { bearer, createTestApp, errorCode, userWithToken, type TestApp } from './support/test-app.js';

/**
 * Runs on the Redis shared by every test file: every key here carries this file's unique prefix, nothing is flushed.
 * Those keys lie outside the service's namespaces (like another application's), so the tools are used as an admin;
 * what operators and viewers may do is in redis-admin-lanes.e2e-spec.ts.
 */
describe('Redis admin tools', () => {
  let t: TestApp;
  let redis: Redis;
  let admin: { id: string; token: string };
  let viewer: { token: string };
  const prefix = `ra-${randomUUID().slice(0, 8)}`;
  const auth = () => bearer(admin.token);

  /** Pipelined SETs in batches. */
  async function loadStrings(keys: string[], value = 'v'): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const pipeline = redis.pipeline();
      for (const key of keys.slice(i, i + 1000)) pipeline.set(key, value);
      await pipeline.exec();
    }
  }

  async function allKeys(pattern: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  }

  beforeAll(async () => {
    t = await createTestApp();
    redis = new Redis(t.config.redis.url);
    admin = await userWithToken(t, 'admin');
    viewer = await userWithToken(t, 'viewer');
  });
  afterAll(async () => {
    const left = await allKeys(`${prefix}*`);
    if (left.length) await redis.unlink(...left);
    redis.disconnect();
    await t.close();
  });

  describe('stats', () => {
    it('reports memory, hit rate, keys, clients, ops, evictions, version and a sampled namespace distribution', async () => {
      await redis.set(`${prefix}:stats`, '1');
      await redis.get(`${prefix}:stats`);
      const stats = (await t.http.get('/api/admin/redis/stats').set(bearer(viewer.token)).expect(200))
        .body as RedisStatsResponse;
      expect(stats.mode).toBe('standalone');
      expect(stats.nodes).toHaveLength(1);
      expect(stats.total).toMatchObject({
        node: 'total',
        role: 'master',
        version: expect.stringMatching(/^\d+\.\d+/),
        usedMemoryBytes: expect.any(Number),
        peakMemoryBytes: expect.any(Number),
        maxMemoryBytes: expect.any(Number),
        connectedClients: expect.any(Number),
        opsPerSecond: expect.any(Number),
        evictedKeys: expect.any(Number),
        expiredKeys: expect.any(Number),
        uptimeSeconds: expect.any(Number),
      });
      expect(stats.total.usedMemoryBytes).toBeGreaterThan(0);
      expect(stats.total.hitRate).toBeGreaterThan(0);
      expect(stats.total.totalKeys).toBeGreaterThan(0);
      expect(stats.distribution.isSample).toBe(true);
      expect(stats.distribution.sampled).toBeGreaterThan(0);
      expect(stats.distribution.sampled).toBeLessThanOrEqual(1000);
      expect(stats.distribution.namespaces.reduce((sum, n) => sum + n.sampledKeys, 0)).toBe(stats.distribution.sampled);
      expect(Array.isArray(stats.analyticsCache.datasources)).toBe(true);
    });
  });

  describe('key browser', () => {
    it('filters by pattern and type, and pages with a cursor until done', async () => {
      const strings = Array.from({ length: 250 }, (_, i) => `${prefix}:browse:s:${i}`);
      await loadStrings(strings);
      await redis.hset(`${prefix}:browse:h`, 'a', '1');
      await redis.expire(`${prefix}:browse:h`, 500);

      const seen: string[] = [];
      let cursor = '0';
      let pages = 0;
      do {
        const page = (
          await t.http
            .get('/api/admin/redis/keys')
            .query({ pattern: `${prefix}:browse:*`, count: 100, cursor })
            .set(auth())
            .expect(200)
        ).body as RedisKeysPage;
        expect(page.examined).toBeLessThanOrEqual(page.examineCap);
        seen.push(...page.keys.map((k) => k.key));
        cursor = page.cursor;
        pages += 1;
        expect(page.more).toBe(cursor !== '0');
        // Other clients write between pages: Redis grows its table meanwhile, and no page may lose a key to that.
        await loadStrings(Array.from({ length: 2000 }, (_, i) => `${prefix}:noise:${pages}:${i}`));
      } while (cursor !== '0' && pages < 1000);
      // SCAN promises every key present throughout at least once; when other work grows the keyspace mid-scan
      // Redis rehashes and a key may come back on a later page, so the pages are compared as a set.
      expect([...new Set(seen)].sort()).toEqual([...strings, `${prefix}:browse:h`].sort());

      const hashes = (
        await t.http
          .get('/api/admin/redis/keys')
          .query({ pattern: `${prefix}:browse:*`, type: 'hash', count: 1000 })
          .set(auth())
          .expect(200)
      ).body as RedisKeysPage;
      const allHashes: RedisKeysPage['keys'] = [...hashes.keys];
      let next = hashes.cursor;
      while (next !== '0') {
        const page = (
          await t.http
            .get('/api/admin/redis/keys')
            .query({ pattern: `${prefix}:browse:*`, type: 'hash', count: 1000, cursor: next })
            .set(auth())
            .expect(200)
        ).body as RedisKeysPage;
        allHashes.push(...page.keys);
        next = page.cursor;
      }
      expect(allHashes).toEqual([
        {
          key: `${prefix}:browse:h`,
          type: 'hash',
          ttlSeconds: expect.any(Number),
          namespace: 'other',
          protected: false,
        },
      ]);
      expect(allHashes[0].ttlSeconds).toBeGreaterThan(400);
    });

    it('honours count as a page size: at most count keys per page, and the next page goes on where it ended', async () => {
      const keys = Array.from({ length: 23 }, (_, i) => `${prefix}:page:${i}`);
      await loadStrings(keys);
      const seen = new Set<string>();
      let cursor = '0';
      for (let pages = 0; pages < 5000 && (pages === 0 || cursor !== '0'); pages++) {
        const page = (
          await t.http
            .get('/api/admin/redis/keys')
            .query({ pattern: `${prefix}:page:*`, count: 5, cursor })
            .set(auth())
            .expect(200)
        ).body as RedisKeysPage;
        expect(page.keys.length).toBeLessThanOrEqual(5);
        page.keys.forEach((k) => seen.add(k.key));
        cursor = page.cursor;
      }
      expect([...seen].sort()).toEqual([...keys].sort());

      // Every key matches `*`: one SCAN call of the usual size returns dozens, so the page asks Redis for fewer
      // buckets until a reply fits, and ends between SCAN calls, where the next page goes on.
      const first = (await t.http.get('/api/admin/redis/keys').query({ count: 5 }).set(auth()).expect(200))
        .body as RedisKeysPage;
      expect(first.keys.length).toBeGreaterThan(0);
      expect(first.keys.length).toBeLessThanOrEqual(5);
      expect(first.more).toBe(true);
      const second = (
        await t.http.get('/api/admin/redis/keys').query({ count: 5, cursor: first.cursor }).set(auth()).expect(200)
      ).body as RedisKeysPage;
      expect(second.keys.length).toBeGreaterThan(0);
      expect(second.keys.length).toBeLessThanOrEqual(5);
      expect(second.keys.map((k) => k.key)).not.toContain(first.keys[0].key);
    });

    it('marks protected keys and classifies analytics keys', async () => {
      const meta = CacheKeys.meta(900_000 + Math.floor(Math.random() * 99_999));
      await redis.hset(meta, 'gen', '3');
      try {
        const page = (
          await t.http.get('/api/admin/redis/keys').query({ pattern: meta, count: 1000 }).set(auth()).expect(200)
        ).body as RedisKeysPage;
        let found = page.keys.find((k) => k.key === meta);
        let cursor = page.cursor;
        while (!found && cursor !== '0') {
          const next = (
            await t.http
              .get('/api/admin/redis/keys')
              .query({ pattern: meta, count: 1000, cursor })
              .set(auth())
              .expect(200)
          ).body as RedisKeysPage;
          found = next.keys.find((k) => k.key === meta);
          cursor = next.cursor;
        }
        expect(found).toMatchObject({ type: 'hash', namespace: 'analytics-meta', protected: true, ttlSeconds: -1 });
      } finally {
        await redis.del(meta);
      }
    });

    it.each([
      [{ pattern: 'a[bc' }, 'pattern'],
      [{ pattern: 'abc\\' }, 'pattern'],
      [{ type: 'blob' }, 'type'],
      [{ cursor: 'abc' }, 'cursor'],
      [{ cursor: '-1' }, 'cursor'],
      [{ cursor: '99999999999999999999' }, 'cursor'],
      [{ cursor: '3:10' }, 'cursor'],
      [{ cursor: '10~xyz' }, 'cursor'],
      [{ count: 0 }, 'count'],
      [{ count: 5000 }, 'count'],
      [{ count: 'many' }, 'count'],
      [{ colour: 'blue' }, 'colour'],
    ])('answers 400 for %j, naming the field', async (query, field) => {
      const response = await t.http.get('/api/admin/redis/keys').query(query).set(auth()).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
    });
  });

  describe('inspector', () => {
    it('describes each type with a preview', async () => {
      const k = (name: string) => `${prefix}:inspect:${name}`;
      await redis
        .multi()
        .set(k('string'), 'hello world')
        .expire(k('string'), 1000)
        .hset(k('hash'), { a: '1', b: '2' })
        .sadd(k('set'), 'x', 'y', 'z')
        .zadd(k('zset'), 1, 'one', 2, 'two')
        .rpush(k('list'), 'l1', 'l2', 'l3')
        .xadd(k('stream'), '*', 'field', 'value')
        .exec();
      const inspect = async (key: string) =>
        (await t.http.get('/api/admin/redis/inspect').query({ key }).set(auth()).expect(200))
          .body as RedisKeyInspection;

      const str = await inspect(k('string'));
      expect(str).toMatchObject({
        type: 'string',
        length: 11,
        lengthUnit: 'bytes',
        encoding: 'embstr',
        preview: { kind: 'string', text: 'hello world', truncated: false },
      });
      expect(str.ttlSeconds).toBeGreaterThan(990);
      expect(str.memoryBytes).toBeGreaterThan(0);
      expect((await inspect(k('hash'))).preview).toEqual({
        kind: 'hash',
        fields: expect.arrayContaining([
          { field: 'a', value: '1' },
          { field: 'b', value: '2' },
        ]),
        truncated: false,
      });
      expect((await inspect(k('set'))).preview).toMatchObject({ kind: 'set', truncated: false });
      expect(((await inspect(k('set'))).preview as { members: string[] }).members.sort()).toEqual(['x', 'y', 'z']);
      expect((await inspect(k('zset'))).preview).toEqual({
        kind: 'zset',
        members: [
          { member: 'one', score: '1' },
          { member: 'two', score: '2' },
        ],
        truncated: false,
      });
      expect(await inspect(k('list'))).toMatchObject({
        length: 3,
        lengthUnit: 'elements',
        preview: { kind: 'list', items: ['l1', 'l2', 'l3'] },
      });
      expect(await inspect(k('stream'))).toMatchObject({
        length: 1,
        lengthUnit: 'entries',
        preview: { kind: 'stream', entries: [{ fields: { field: 'value' } }] },
      });
    });

    it('caps big aggregates by elements', async () => {
      const key = `${prefix}:inspect:biglist`;
      for (let i = 0; i < 5; i += 1)
        await redis.rpush(key, ...Array.from({ length: 1000 }, (_, j) => `item-${i}-${j}`));
      const body = (await t.http.get('/api/admin/redis/inspect').query({ key }).set(auth()).expect(200))
        .body as RedisKeyInspection;
      expect(body.length).toBe(5000);
      expect(body.preview).toMatchObject({ kind: 'list', truncated: true });
      expect((body.preview as { items: string[] }).items.length).toBeLessThanOrEqual(body.limits.maxElements);
    });

    it('shows an analytics cache entry decoded', async () => {
      const datasourceId = 800_000 + Math.floor(Math.random() * 99_999);
      const key = CacheKeys.entryKey(datasourceId, 4, 17);
      await redis.set(
        key,
        encodeStoredEntry(
          { measure: 'revenue', practice: 'P1', provider: 'D1', frequency: 'Monthly' },
          JSON.stringify([
            ['2025-01-01', 10.5],
            ['2025-02-01', 11],
          ]),
        ),
      );
      try {
        const body = (await t.http.get('/api/admin/redis/inspect').query({ key }).set(auth()).expect(200))
          .body as RedisKeyInspection;
        expect(body.namespace).toBe('analytics-entry');
        expect(body.decoded).toEqual({
          kind: 'analytics-entry',
          rowCount: 2,
          rows: [
            ['2025-01-01', 10.5],
            ['2025-02-01', 11],
          ],
          truncated: false,
        });
      } finally {
        await redis.del(key);
      }
    });

    it('returns a bounded preview of a 50 MB string', async () => {
      const key = `${prefix}:inspect:huge`;
      const chunk = 'a'.repeat(1024 * 1024);
      const pipeline = redis.pipeline();
      for (let i = 0; i < 50; i += 1) pipeline.append(key, chunk);
      await pipeline.exec();
      try {
        const response = await t.http.get('/api/admin/redis/inspect').query({ key }).set(auth()).expect(200);
        const body = response.body as RedisKeyInspection;
        expect(body.length).toBe(50 * 1024 * 1024);
        expect(body.preview).toMatchObject({ kind: 'string', truncated: true, bytesShown: body.limits.maxBytes });
        expect(response.text.length).toBeLessThan(100 * 1024);
      } finally {
        await redis.unlink(key);
      }
    });

    it('answers 404 for a missing key and 400 without one', async () => {
      const missing = await t.http
        .get('/api/admin/redis/inspect')
        .query({ key: `${prefix}:nope` })
        .set(auth())
        .expect(404);
      expect(missing.body.code).toBe('NOT_FOUND');
      await t.http.get('/api/admin/redis/inspect').set(auth()).expect(400).expect(errorCode('VALIDATION_FAILED'));
      await t.http
        .get('/api/admin/redis/inspect')
        .query({ key: '' })
        .set(auth())
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
      await t.http
        .get('/api/admin/redis/inspect')
        .query({ key: 'x'.repeat(5000) })
        .set(auth())
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
    });
  });

  describe('TTL', () => {
    it('sets and removes an expiry, audited', async () => {
      const key = `${prefix}:ttl:a`;
      await redis.set(key, '1');
      const set = (await t.http.post('/api/admin/redis/ttl').set(auth()).send({ key, ttlSeconds: 3600 }).expect(200))
        .body as RedisTtlResponse;
      expect(set).toEqual({ key, previousTtlSeconds: -1, ttlSeconds: 3600 });
      expect(await redis.ttl(key)).toBeGreaterThan(3590);

      const persisted = (await t.http.post('/api/admin/redis/ttl').set(auth()).send({ key, persist: true }).expect(200))
        .body as RedisTtlResponse;
      expect(persisted).toMatchObject({ key, ttlSeconds: -1 });
      expect(await redis.ttl(key)).toBe(-1);

      const audit = (
        await t.http.get('/api/admin/audit').query({ actorId: admin.id, action: 'redis.ttl' }).set(auth()).expect(200)
      ).body as Paginated<AuditEntry>;
      expect(
        audit.items
          .slice(0, 2)
          .map((entry) => [entry.outcome, entry.targetType, entry.targetId, entry.parameters?.key]),
      ).toEqual([
        ['success', 'redis-key', key, key],
        ['success', 'redis-key', key, key],
      ]);
      expect(audit.items[0].parameters).toMatchObject({ persist: true });
      expect(audit.items[1].parameters).toMatchObject({ ttlSeconds: 3600 });
    });

    it.each([
      [{ key: 'k', ttlSeconds: -5 }, 'ttlSeconds'],
      [{ key: 'k', ttlSeconds: 0 }, 'ttlSeconds'],
      [{ key: 'k', ttlSeconds: 1.5 }, 'ttlSeconds'],
      [{ key: 'k', ttlSeconds: 'soon' }, 'ttlSeconds'],
      [{ key: 'k' }, 'ttlSeconds'],
      [{ key: 'k', ttlSeconds: 10, persist: true }, 'ttlSeconds'],
      [{ ttlSeconds: 10 }, 'key'],
      [{ key: '', ttlSeconds: 10 }, 'key'],
      [{ key: 'k', ttlSeconds: 10, persist: 'yes' }, 'persist'],
    ])('answers 400 for %j', async (body, field) => {
      const response = await t.http
        .post('/api/admin/redis/ttl')
        .set(auth())
        .send(body)
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
      expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
    });

    it('refuses keys that do not exist (404) and protected keys unless allowed', async () => {
      const missing = await t.http
        .post('/api/admin/redis/ttl')
        .set(auth())
        .send({ key: `${prefix}:ttl:missing`, ttlSeconds: 10 })
        .expect(404);
      expect(missing.body.code).toBe('NOT_FOUND');
      expect(await redis.exists(`${prefix}:ttl:missing`)).toBe(0);

      const lock = CacheKeys.warmLock(700_000 + Math.floor(Math.random() * 99_999));
      await redis.set(lock, 'job');
      try {
        const refused = await t.http
          .post('/api/admin/redis/ttl')
          .set(auth())
          .send({ key: lock, ttlSeconds: 10 })
          .expect(400)
          .expect(errorCode('VALIDATION_FAILED'));
        expect(refused.body.message).toContain('protected');
        expect(await redis.ttl(lock)).toBe(-1);
        await t.http
          .post('/api/admin/redis/ttl')
          .set(auth())
          .send({ key: lock, ttlSeconds: 100, allowProtected: true })
          .expect(200);
        expect(await redis.ttl(lock)).toBeGreaterThan(90);
      } finally {
        await redis.del(lock);
      }
    });
  });

  describe('purge', () => {
    it.each(['*', 'cache:*', '{ccc}*', '?ccc}:warming:*', 'ccc:*', 'c*', 'lock:*', '*meta*'])(
      'refuses %j, which could match protected keys, with a 400 that says why',
      async (pattern) => {
        const response = await t.http
          .post('/api/admin/redis/purge')
          .set(auth())
          .send({ pattern, dryRun: true })
          .expect(400)
          .expect(errorCode('VALIDATION_FAILED'));
        expect(response.body.message).toMatch(/protected/);
        expect(response.body.details.protectedPatterns.length).toBeGreaterThan(0);
      },
    );

    it('never lets a real run touch queue keys or live pointers without allowProtected', async () => {
      const queueKey = `{ccc}:${prefix}:wait`;
      const meta = CacheKeys.meta(600_000 + Math.floor(Math.random() * 99_999));
      await redis.set(queueKey, '1');
      await redis.hset(meta, 'gen', '1');
      try {
        for (const pattern of ['*', '{ccc}*', 'cache:meta:*']) {
          await t.http
            .post('/api/admin/redis/purge')
            .set(auth())
            .send({ pattern, dryRun: false })
            .expect(400)
            .expect(errorCode('VALIDATION_FAILED'));
        }
        expect(await redis.exists(queueKey, meta)).toBe(2);
      } finally {
        await redis.del(queueKey, meta);
      }
    });

    it('dry-runs without deleting, then deletes exactly the dry-run set', async () => {
      const doomed = Array.from({ length: 1234 }, (_, i) => `${prefix}:purge:doomed:${i}`);
      const kept = Array.from({ length: 300 }, (_, i) => `${prefix}:purge:kept:${i}`);
      await loadStrings([...doomed, ...kept]);
      await redis.hset(`${prefix}:purge:doomed:hash`, 'a', '1');
      const pattern = `${prefix}:purge:doomed:*`;

      const dry = (
        await t.http
          .post('/api/admin/redis/purge')
          .set(auth())
          .send({ pattern, dryRun: true, type: 'string' })
          .expect(200)
      ).body as RedisPurgeResult;
      expect(dry).toMatchObject({
        dryRun: true,
        status: 'preview',
        matched: 1234,
        deleted: 0,
        countComplete: true,
        purgeId: null,
      });
      expect(dry.sample.length).toBe(20);
      expect(dry.sample.every((key) => key.startsWith(`${prefix}:purge:doomed:`))).toBe(true);
      expect((await allKeys(pattern)).length).toBe(1235);

      const run = (
        await t.http
          .post('/api/admin/redis/purge')
          .set(auth())
          .send({ pattern, dryRun: false, type: 'string' })
          .expect(200)
      ).body as RedisPurgeResult;
      expect(run).toMatchObject({
        dryRun: false,
        status: 'completed',
        deleted: dry.matched,
        purgeId: expect.any(String),
      });
      expect(run.batches).toBe(Math.ceil(1234 / run.batchSize));
      expect(await allKeys(pattern)).toEqual([`${prefix}:purge:doomed:hash`]);
      expect((await allKeys(`${prefix}:purge:kept:*`)).length).toBe(300);

      const status = (await t.http.get(`/api/admin/redis/purge/${run.purgeId}`).set(auth()).expect(200))
        .body as RedisPurgeResult;
      expect(status).toMatchObject({ status: 'completed', deleted: 1234 });

      const audit = (
        await t.http.get('/api/admin/audit').query({ actorId: admin.id, action: 'redis.purge' }).set(auth()).expect(200)
      ).body as Paginated<AuditEntry>;
      expect(audit.items.map((entry) => entry.parameters)).toEqual(
        expect.arrayContaining([expect.objectContaining({ pattern, dryRun: false })]),
      );
      const finished = (
        await t.http
          .get('/api/admin/audit')
          .query({ actorId: admin.id, action: 'redis.purge.finished' })
          .set(auth())
          .expect(200)
      ).body as Paginated<AuditEntry>;
      expect(finished.items[0]).toMatchObject({
        outcome: 'success',
        targetId: pattern,
        parameters: expect.objectContaining({ deleted: 1234 }),
      });
    });

    it('purges protected keys only when explicitly allowed', async () => {
      const lock = CacheKeys.warmLock(800_000 + Math.floor(Math.random() * 99_999));
      await redis.set(lock, '1');
      await t.http
        .post('/api/admin/redis/purge')
        .set(auth())
        .send({ pattern: lock, dryRun: false })
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
      expect(await redis.exists(lock)).toBe(1);
      const run = (
        await t.http
          .post('/api/admin/redis/purge')
          .set(auth())
          .send({ pattern: lock, dryRun: false, allowProtected: true })
          .expect(200)
      ).body as RedisPurgeResult;
      expect(run).toMatchObject({ status: 'completed', deleted: 1, protectedNamespaces: ['lock:warm:{ds:*}'] });
      expect(await redis.exists(lock)).toBe(0);
    });

    it.each([
      [{ pattern: 'x:*' }, 'dryRun'],
      [{ pattern: 'x:*', dryRun: 'yes' }, 'dryRun'],
      [{ dryRun: true }, 'pattern'],
      [{ pattern: '', dryRun: true }, 'pattern'],
      [{ pattern: 'x:[a', dryRun: true }, 'pattern'],
      [{ pattern: 'x:*', dryRun: true, type: 'blob' }, 'type'],
      [{ pattern: 'x:*', dryRun: true, allowProtected: 'sure' }, 'allowProtected'],
    ])('answers 400 for %j', async (body, field) => {
      const response = await t.http
        .post('/api/admin/redis/purge')
        .set(auth())
        .send(body)
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
      expect((response.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toContain(field);
    });

    it('answers 404 for an unknown purge id and 400 for a malformed one', async () => {
      await t.http.get(`/api/admin/redis/purge/${randomUUID()}`).set(auth()).expect(404).expect(errorCode('NOT_FOUND'));
      await t.http
        .get('/api/admin/redis/purge/not-a-uuid')
        .set(auth())
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
    });
  });

  describe('slow log and memory', () => {
    it('lists the slow log and lets a writer reset it', async () => {
      const body = (
        await t.http.get('/api/admin/redis/slowlog').query({ limit: 10 }).set(bearer(viewer.token)).expect(200)
      ).body as RedisSlowlogResponse;
      expect(body.nodes).toHaveLength(1);
      expect(body.entries.length).toBeLessThanOrEqual(10);
      await t.http
        .post('/api/admin/redis/slowlog/reset')
        .set(bearer(viewer.token))
        .expect(403)
        .expect(errorCode('FORBIDDEN'));
      const reset = await t.http.post('/api/admin/redis/slowlog/reset').set(auth()).expect(200);
      expect(reset.body).toEqual({ nodesReset: 1 });
      await t.http
        .get('/api/admin/redis/slowlog')
        .query({ limit: 0 })
        .set(auth())
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
    });

    it('ranks the biggest keys and namespaces from a sample', async () => {
      const big = `${prefix}:memory:big`;
      await redis.set(big, 'z'.repeat(200_000));
      const body = (
        await t.http.get('/api/admin/redis/memory').query({ sample: 10_000, top: 100 }).set(auth()).expect(200)
      ).body as RedisMemoryAnalysis;
      expect(body.isSample).toBe(true);
      expect(body.sampled).toBeGreaterThan(0);
      expect(body.topKeys.length).toBeLessThanOrEqual(100);
      const sizes = body.topKeys.map((k) => k.memoryBytes);
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
      const entry = body.topKeys.find((k) => k.key === big);
      if (entry) expect(entry).toMatchObject({ type: 'string', namespace: 'other', memoryBytes: expect.any(Number) });
      expect(body.namespaces.reduce((sum, n) => sum + n.sampledKeys, 0)).toBe(body.sampled);
      await t.http
        .get('/api/admin/redis/memory')
        .query({ sample: 5 })
        .set(auth())
        .expect(400)
        .expect(errorCode('VALIDATION_FAILED'));
    });
  });
});
