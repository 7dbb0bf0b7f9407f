import { commandCalls, parseInfo, sumNodeStats, toNodeStats } from './redis-info.js';

const INFO = [
  '# Server',
  'redis_version:7.0.15',
  'uptime_in_seconds:3600',
  '# Clients',
  'connected_clients:12',
  '# Memory',
  'used_memory:1048576',
  'used_memory_peak:2097152',
  'maxmemory:4194304',
  'maxmemory_policy:noeviction',
  'mem_fragmentation_ratio:1.50',
  '# Stats',
  'instantaneous_ops_per_sec:250',
  'keyspace_hits:90',
  'keyspace_misses:10',
  'evicted_keys:3',
  'expired_keys:40',
  '# Replication',
  'role:master',
  '# Commandstats',
  'cmdstat_unlink:calls=200,usec=900,usec_per_call=4.50',
  'cmdstat_scan:calls=100,usec=500,usec_per_call=5.00',
  '# Keyspace',
  'db0:keys=1000,expires=10,avg_ttl=5000',
  'db2:keys=50,expires=0,avg_ttl=0',
  '',
].join('\r\n');

describe('INFO parsing', () => {
  it('reads the figures the stats panel shows', () => {
    const stats = toNodeStats('127.0.0.1:6379', parseInfo(INFO));
    expect(stats).toMatchObject({
      role: 'master',
      version: '7.0.15',
      uptimeSeconds: 3600,
      connectedClients: 12,
      usedMemoryBytes: 1_048_576,
      peakMemoryBytes: 2_097_152,
      maxMemoryBytes: 4_194_304,
      fragmentationRatio: 1.5,
      opsPerSecond: 250,
      hitRate: 0.9,
      evictedKeys: 3,
      expiredKeys: 40,
      totalKeys: 1050,
    });
    expect(stats.keyspace).toEqual([
      { db: 0, keys: 1000, expires: 10, avgTtlMs: 5000 },
      { db: 2, keys: 50, expires: 0, avgTtlMs: 0 },
    ]);
  });

  it('has no hit rate before the first read', () => {
    expect(toNodeStats('n', parseInfo('keyspace_hits:0\nkeyspace_misses:0')).hitRate).toBeNull();
  });

  it('sums a cluster, recomputing the hit rate from the sums', () => {
    const a = toNodeStats('a', parseInfo(INFO));
    const b = { ...toNodeStats('b', parseInfo(INFO)), keyspaceHits: 0, keyspaceMisses: 100, maxMemoryBytes: 0 };
    const total = sumNodeStats([a, b], 'cluster');
    expect(total.node).toBe('total');
    expect(total.totalKeys).toBe(2100);
    expect(total.hitRate).toBeCloseTo(90 / 200);
    expect(total.maxMemoryBytes).toBe(0); // one node without a limit: no overall limit
    expect(total.keyspace.find((db) => db.db === 0)?.keys).toBe(2000);
    expect(total.role).toContain('cluster');
  });

  it('counts calls per command', () => {
    expect(commandCalls(parseInfo(INFO))).toEqual({ unlink: 200, scan: 100 });
  });
});
