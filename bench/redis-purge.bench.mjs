// Bench section: how much a 100,000-key purge stalls other Redis clients. A worker PINGs every ~1 ms on
// its own connection while (a) nothing runs, (b) the service's purge deletes with SCAN + UNLINK in
// batches, (c) a naive single UNLINK of all keys runs; max and p99 PING round trips side by side.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

const KEYS = 100_000;
const IDLE_MS = 2_000;

async function load(redis, prefix) {
  for (let start = 0; start < KEYS; start += 5_000) {
    const args = [];
    for (let i = start; i < Math.min(KEYS, start + 5_000); i += 1) args.push(`${prefix}${i}`, `value-${i}`);
    await redis.mset(...args);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { probes: sorted.length, max: sorted.at(-1) ?? 0, p99: percentile(sorted, 99), p50: percentile(sorted, 50) };
}

class Probe {
  constructor(url) {
    this.worker = new Worker(new URL('./lib/ping-probe.mjs', import.meta.url), { workerData: { url } });
    this.waiters = [];
    this.worker.on('message', (message) => {
      const index = this.waiters.findIndex((w) => w.match(message));
      if (index >= 0) this.waiters.splice(index, 1)[0].resolve(message);
    });
  }

  next(match) {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  ready() {
    return this.next((m) => m.type === 'ready');
  }

  async phase(name) {
    const started = this.next((m) => m.type === 'phase-started' && m.name === name);
    this.worker.postMessage({ type: 'phase', name });
    await started;
    await sleep(20); // a few probes in flight before the work starts
  }

  async collect(name) {
    const reply = this.next((m) => m.type === 'samples' && m.name === name);
    this.worker.postMessage({ type: 'collect', name });
    return summarize((await reply).samples);
  }

  async stop() {
    this.worker.postMessage({ type: 'stop' });
    await new Promise((resolve) => this.worker.once('exit', resolve));
  }
}

export async function run(ctx) {
  await import('reflect-metadata');
  const dist = (file) => pathToFileURL(path.join(ctx.serviceDist, 'redis-admin', file)).href;
  const { RedisAdminRepository } = await import(dist('redis-admin.repository.js'));
  const { RedisPurgeService, PURGE_BATCH_SIZE } = await import(dist('redis-purge.service.js'));

  const redis = new Redis(ctx.redisUrl, { connectionName: 'bench-purge' });
  const admin = new Redis(ctx.redisUrl, { connectionName: 'bench-admin' });
  const purges = new RedisPurgeService(new RedisAdminRepository(redis), { record: async () => undefined });
  // An admin: the bench's keys lie outside the service's namespaces, which only admins may purge.
  const actor = { kind: 'user', id: 'bench', name: 'bench', role: 'admin', permissions: [] };
  const probe = new Probe(ctx.redisUrl);
  try {
    await probe.ready();
    await load(admin, 'bench:purge:');
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
    if (result.status !== 'completed' || result.deleted !== KEYS) throw new Error(`purge ended ${result.status} after ${result.deleted} keys: ${result.error}`);
    ctx.log(`batched purge: ${result.deleted} keys in ${result.batches} batches, ${batchedMs.toFixed(0)} ms`);

    await load(admin, 'bench:naive:');
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

    const ratio = (a, b) => (b > 0 ? a / b : 0);
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
      { metric: 'batched purge duration', value: batchedMs, unit: 'ms', note: `${result.batches} UNLINK batches of ≤ ${PURGE_BATCH_SIZE}` },
      { metric: 'UNLINK calls (INFO commandstats)', value: unlinkCalls, unit: 'calls' },
      { metric: 'naive UNLINK duration', value: naiveMs, unit: 'ms', note: '1 command' },
    ];
    return {
      title: `Redis purge of ${KEYS.toLocaleString('en-US')} keys: stall seen by a 1 ms PING probe`,
      rows,
      json: { keys: KEYS, batchSize: PURGE_BATCH_SIZE, idle, batched: { ...batched, durationMs: batchedMs, batches: result.batches, unlinkCalls }, naive: { ...naive, durationMs: naiveMs } },
    };
  } finally {
    await probe.stop();
    await purges.onModuleDestroy();
    redis.disconnect();
    admin.disconnect();
  }
}
