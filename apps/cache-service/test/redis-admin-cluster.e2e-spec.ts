import type { Principal, RedisKeysPage } from '@ccc/shared-types';
import { Cluster } from 'ioredis';
import type { AuditService } from '../src/audit/audit.service.js';
import type { AppConfig } from '../src/config/app-config.js';
import type { DatasourcesService } from '../src/datasources/datasources.service.js';
import { SourcePolicy } from '../src/datasources/source-policy.js';
import { CacheKeys } from '../src/redis/redis-keys.js';
import { KeyAccessService } from '../src/redis-admin/key-access.service.js';
import { RedisAdminRepository } from '../src/redis-admin/redis-admin.repository.js';
import { RedisKeyBrowserService } from '../src/redis-admin/redis-key-browser.service.js';
import { RedisPurgeService } from '../src/redis-admin/redis-purge.service.js';
import { RedisSlowlogService } from '../src/redis-admin/redis-slowlog.service.js';
import { RedisStatsService } from '../src/redis-admin/redis-stats.service.js';
import { PrivateRedisCluster } from './support/redis-cluster.js';

/** The services on a real 3-master Redis Cluster: SCAN, INFO and deletes go node by node. */
describe('Redis admin tools on a Redis Cluster', () => {
  const redisCluster = new PrivateRedisCluster();
  let ports: number[] = [];
  let cluster: Cluster;
  let statistics: RedisStatsService;
  let keyBrowser: RedisKeyBrowserService;
  let slowlogs: RedisSlowlogService;
  let purges: RedisPurgeService;
  const audit = { record: jest.fn(async () => undefined) } as unknown as AuditService;
  const strategies = {
    entities: async () => [{ datasourceId: 5, name: 'Clustered', sourceTable: 'demo_analytics.clustered' }],
  } as unknown as DatasourcesService;
  const access = new KeyAccessService(
    strategies,
    new SourcePolicy({ sources: { schemas: ['demo_analytics'] } } as AppConfig),
  );
  const actor: Principal = {
    kind: 'user',
    id: 'u1',
    name: 'tester',
    role: 'admin',
    permissions: [],
  } as unknown as Principal;

  beforeAll(async () => {
    await redisCluster.start();
    ports = redisCluster.ports;
    cluster = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
    await new Promise<void>((resolve) => cluster.once('ready', () => resolve()));
    const repository = new RedisAdminRepository(cluster);
    statistics = new RedisStatsService(repository, strategies, access);
    keyBrowser = new RedisKeyBrowserService(repository, access);
    slowlogs = new RedisSlowlogService(repository, access);
    purges = new RedisPurgeService(repository, audit, access);

    const keys = Array.from({ length: 3000 }, (_, i) => `item:${i}`);
    for (let i = 0; i < keys.length; i += 500)
      await Promise.all(keys.slice(i, i + 500).map((key) => cluster.set(key, String(i))));
    await cluster.hset(CacheKeys.meta(5), CacheKeys.liveField, '7', 'entries', '12');
  }, 60_000);

  afterAll(async () => {
    await purges?.onModuleDestroy();
    cluster?.disconnect();
    redisCluster.stop();
  });

  it('reports every master and their total', async () => {
    const stats = await statistics.stats(actor);
    expect(stats.mode).toBe('cluster');
    expect(stats.nodes.map((n) => n.node).sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`).sort());
    expect(stats.total.totalKeys).toBe(3001);
    expect(stats.total.totalKeys).toBe(stats.nodes.reduce((sum, n) => sum + n.totalKeys, 0));
    expect(stats.nodes.every((n) => n.totalKeys > 0)).toBe(true);
    expect(stats.total.role).toContain('cluster');
    expect(stats.analyticsCache.datasources).toEqual([
      expect.objectContaining({
        datasourceId: 5,
        present: true,
        liveGeneration: 7,
        fields: { [CacheKeys.liveField]: '7', entries: '12' },
      }),
    ]);
  });

  it('pages through every node with one cursor, visiting each key once', async () => {
    const seen: string[] = [];
    let cursor = '0';
    let pages = 0;
    do {
      const page: RedisKeysPage = await keyBrowser.scanKeys({ pattern: 'item:*', count: 200, cursor }, actor);
      seen.push(...page.keys.map((k) => k.key));
      expect(page.keys.length).toBeLessThanOrEqual(200);
      // node:cursor, and the mark of the last key handed out when the page ended inside a SCAN call.
      if (page.more) expect(page.cursor).toMatch(/^\d:\d+(~[0-9a-f]{8})?$/);
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== '0' && pages < 1000);
    expect(seen.length).toBe(3000);
    expect(new Set(seen).size).toBe(3000);
  });

  it('inspects a key on whichever node holds it', async () => {
    const inspection = await keyBrowser.inspect(CacheKeys.meta(5), actor);
    expect(inspection).toMatchObject({ type: 'hash', namespace: 'analytics-meta', protected: true, length: 2 });
  });

  it('purges across nodes (one UNLINK per key, pipelined per node) and reads the slow log of each node', async () => {
    const dry = await purges.purge({ pattern: 'item:*', dryRun: true }, actor);
    expect(dry.matched).toBe(3000);
    let run = await purges.purge({ pattern: 'item:*', dryRun: false }, actor);
    while (run.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await purges.status(run.purgeId!);
    }
    expect(run).toMatchObject({ status: 'completed', deleted: 3000 });
    expect(await cluster.exists(CacheKeys.meta(5))).toBe(1);
    const after = await statistics.stats(actor);
    expect(after.total.totalKeys).toBe(2); // the pointer and the purge's own progress record

    const slowlog = await slowlogs.slowlog(10, actor);
    expect(slowlog.nodes).toHaveLength(3);
    expect((await slowlogs.resetSlowlog()).nodesReset).toBe(3);
  });
});
