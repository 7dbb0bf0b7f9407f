import { CacheRepository } from '../../src/analytics-cache/cache.repository.js';
import { createDatasource, FAULT_ENV, isFinal, queryOne, waitForJobState } from '../support/faults.js';
import { PrivateRedisCluster } from '../support/redis-cluster.js';
import { createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { requestWarm, sleep } from '../support/warming.js';

interface Read {
  at: number;
  status: number;
  code?: string;
  generation?: number | null;
}

/**
 * A Redis Cluster with one replica per master; the master serving a warm datasource's slot is killed (SIGKILL) while
 * readers query it and a refresh of another datasource on the same slot's master is writing its shadow. The replica
 * takes over; readers may fail only during the failover window (measured and printed), with a retryable 503, then get
 * the same generation as before; the refresh ends cleanly — completed by a retry, or failed — never a live generation
 * with entries missing.
 */
describe('Redis Cluster failover', () => {
  const cluster = new PrivateRedisCluster({ replicas: 1, nodeTimeoutMs: 1_000 });
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    await cluster.start();
    t = await createTestApp({
      ...FAULT_ENV,
      REDIS_URL: `redis://127.0.0.1:${cluster.ports[0]}`,
      REDIS_CLUSTER_NODES: cluster.nodeList,
      WARM_JOB_LOCK_MS: '3000',
    });
    token = (await userWithToken(t, 'operator')).token;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    cluster.stop();
  });

  it('promotes the replica; readers fail only during the failover window, then read the same generation; a warm running meanwhile ends cleanly', async () => {
    const served = await createDatasource(t, token, { practices: 2, providers: 10, periods: 10 });
    const warmed = await waitForJobState(t, token, (await requestWarm(t, token, served)).jobId, isFinal);
    expect(warmed.status).toBe('COMPLETED');
    const victim = cluster.masterOf(`{ds:${served}}`);
    // A second datasource whose keys live on the same master, refreshed while it dies.
    let refreshed = await createDatasource(t, token, { practices: 5, providers: 200, periods: 10 });
    while (cluster.masterOf(`{ds:${refreshed}}`) !== victim)
      refreshed = await createDatasource(t, token, { practices: 5, providers: 200, periods: 10 });
    expect((await waitForJobState(t, token, (await requestWarm(t, token, refreshed)).jobId, isFinal)).status).toBe(
      'COMPLETED',
    );

    const reads: Read[] = [];
    let stop = false;
    const reader = async (): Promise<void> => {
      while (!stop) {
        const response = await queryOne(t, token, served);
        const body = response.body as { code?: string; generation?: number | null };
        reads.push({ at: Date.now(), status: response.status, code: body.code, generation: body.generation });
        if (response.status !== 200) await sleep(20);
      }
    };
    const readers = Array.from({ length: 4 }, () => reader());

    const refresh = await requestWarm(t, token, refreshed);
    await waitForJobState(t, token, refresh.jobId, (job) => job.status === 'RUNNING' && job.rowsProcessed > 0);
    await sleep(300);
    const killedAt = Date.now();
    cluster.kill(victim);
    await cluster
      .waitUntilHealthy(
        cluster.ports.find((port) => port !== victim)!,
        60_000,
      )
      .catch(() => undefined);
    // Keep reading a while after the new master took over.
    await sleep(3_000);
    const ended = await waitForJobState(t, token, refresh.jobId, isFinal, 120_000);
    await sleep(1_000);
    stop = true;
    await Promise.all(readers);

    const failures = reads.filter((read) => read.status !== 200);
    const after = reads.filter((read) => read.at >= killedAt);
    const lastFailure = failures.length > 0 ? failures[failures.length - 1].at : killedAt;
    const window = lastFailure - killedAt;
    console.log(
      `[cluster-failover] ${reads.length} reads, ${failures.length} failed, all within ${window} ms of the kill (${[...new Set(failures.map((f) => `${f.status} ${f.code}`))].join(', ') || 'none'}); refresh during the failover ended ${ended.status}: ${ended.failureReason ?? 'no failure reason'}`,
    );
    // The killed master's replica serves the slot now.
    expect(cluster.masterOf(`{ds:${served}}`)).not.toBe(victim);
    // Failures are retryable 503s, never 500s; every answer is the generation warmed before the kill.
    expect(failures.filter((read) => read.status !== 503 || read.code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    expect(reads.filter((read) => read.status === 200 && read.generation !== warmed.generation)).toEqual([]);
    // After the window, reads succeed again, and for a sustained while.
    const resumed = after.filter((read) => read.at > lastFailure);
    expect(resumed.length).toBeGreaterThan(20);
    expect(resumed.every((read) => read.status === 200)).toBe(true);

    // The refresh ended cleanly: whatever is live for its datasource is whole.
    expect(['COMPLETED', 'FAILED']).toContain(ended.status);
    const cache = t.app.get(CacheRepository);
    const meta = await cache.meta(refreshed);
    expect(meta.generation).not.toBeNull();
    expect(await cache.countEntries(refreshed, meta.generation!)).toBe(meta.entries);
    expect(meta.entries).toBe(4 * 5 * 200 * 4);
  }, 240_000);
});
