// Bench section: how much a 100,000-key purge stalls other Redis clients. A worker PINGs every ~1 ms on
// its own connection while (a) nothing runs, (b) the service's purge deletes with SCAN + UNLINK in
// batches, (c) a naive single UNLINK of all keys runs; max and p99 PING round trips side by side.
// The purge is the service's own RedisPurgeService; `--smoke` purges 5,000 keys instead of 100,000.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { PingProbe } from './lib/probe-client.mjs';

async function load(redis, prefix, keys) {
  for (let start = 0; start < keys; start += 5_000) {
    const args = [];
    for (let i = start; i < Math.min(keys, start + 5_000); i += 1) args.push(`${prefix}${i}`, `value-${i}`);
    await redis.mset(...args);
  }
}

export async function run(ctx) {
  const KEYS = ctx.smoke ? 5_000 : 100_000;
  const IDLE_MS = ctx.smoke ? 300 : 2_000;
  await import('reflect-metadata');
  const dist = (file) => pathToFileURL(path.join(ctx.serviceDist, 'redis-admin', file)).href;
  const { RedisAdminRepository } = await import(dist('redis-admin.repository.js'));
  const { RedisPurgeService, PURGE_BATCH_SIZE } = await import(dist('redis-purge.service.js'));

  const redis = new Redis(ctx.redisUrl, { connectionName: 'bench-purge' });
  const admin = new Redis(ctx.redisUrl, { connectionName: 'bench-admin' });
  // No datasources exist in the bench's Redis, so no key belongs to a refused source (what the service reads
  // from its database to decide that).
  const access = { of: async (principal) => ({ actor: principal, refusedDatasources: new Set() }) };
  const purges = new RedisPurgeService(new RedisAdminRepository(redis), { record: async () => undefined }, access);
  // An admin: the bench's keys lie outside the service's namespaces, which only admins may purge.
  const actor = { kind: 'user', id: 'bench', name: 'bench', role: 'admin', permissions: [] };
  const probe = new PingProbe(ctx.redisUrl);
  try {
    await probe.ready();
    await load(admin, 'bench:purge:', KEYS);
    ctx.log(`loaded ${KEYS.toLocaleString('en-US')} keys`);

    await probe.phase('idle');
    await sleep(IDLE_MS);
    const idle = await probe.collect('idle');

    await admin.config('RESETSTAT');
    await probe.phase('batched');
    const batchedStarted = performance.now();
    let result = await purges.purge({ pattern: 'bench:purge:*', dryRun: false }, actor);
    while (result.status === 'running') {
      await sleep(20);
      result = await purges.status(result.purgeId);
    }
    const batchedMs = performance.now() - batchedStarted;
    const batched = await probe.collect('batched');
    const unlinkCalls = Number(/cmdstat_unlink:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
    if (result.status !== 'completed' || result.deleted !== KEYS)
      throw new Error(`purge ended ${result.status} after ${result.deleted} keys: ${result.error}`);
    ctx.log(`batched purge: ${result.deleted} keys in ${result.batches} batches, ${batchedMs.toFixed(0)} ms`);

    await load(admin, 'bench:naive:', KEYS);
    const names = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', 'bench:naive:*', 'COUNT', 10_000);
      names.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    await probe.phase('naive');
    const naiveStarted = performance.now();
    const naiveDeleted = await admin.unlink(...names);
    const naiveMs = performance.now() - naiveStarted;
    await sleep(20);
    const naive = await probe.collect('naive');
    ctx.log(`naive UNLINK: ${naiveDeleted} keys in one command, ${naiveMs.toFixed(0)} ms`);

    const ratio = (a, b) => (b > 0 ? a / b : NaN);
    const rows = [
      { metric: 'keys purged (each run)', value: KEYS, unit: 'keys' },
      { metric: 'PING max, idle baseline', value: idle.max, unit: 'ms', note: `${idle.probes} probes` },
      { metric: 'PING p99, idle baseline', value: idle.p99, unit: 'ms' },
      { metric: 'PING max, batched purge (service)', value: batched.max, unit: 'ms', note: `${batched.probes} probes` },
      { metric: 'PING p99, batched purge (service)', value: batched.p99, unit: 'ms' },
      { metric: 'PING max, naive single UNLINK', value: naive.max, unit: 'ms', note: `${naive.probes} probes` },
      { metric: 'PING p99, naive single UNLINK', value: naive.p99, unit: 'ms' },
      { metric: 'max wait: naive / batched', value: ratio(naive.max, batched.max), unit: '×' },
      { metric: 'max wait: batched / idle', value: ratio(batched.max, idle.max), unit: '×' },
      {
        metric: 'batched purge duration',
        value: batchedMs,
        unit: 'ms',
        note: `${result.batches} UNLINK batches of ≤ ${PURGE_BATCH_SIZE}`,
      },
      { metric: 'UNLINK calls (INFO commandstats)', value: unlinkCalls, unit: 'calls' },
      { metric: 'naive UNLINK duration', value: naiveMs, unit: 'ms', note: '1 command' },
    ];
    return {
      title: `Redis purge of ${KEYS.toLocaleString('en-US')} keys: stall seen by a 1 ms PING probe`,
      rows,
      json: {
        keys: KEYS,
        batchSize: PURGE_BATCH_SIZE,
        idle,
        batched: { ...batched, durationMs: batchedMs, batches: result.batches, unlinkCalls },
        naive: { ...naive, durationMs: naiveMs },
      },
    };
  } finally {
    await probe.stop();
    await purges.onModuleDestroy();
    redis.disconnect();
    admin.disconnect();
  }
}
