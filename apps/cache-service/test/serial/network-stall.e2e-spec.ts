import { CacheRepository } from '../../src/analytics-cache/cache.repository.js';
import { WarmLocks } from '../../src/analytics-cache/warm-locks.js';
import {
  cachedAnswer,
  createDatasource,
  FAULT_ENV,
  isFinal,
  queryOne,
  waitForJobState,
  waitForReadiness,
} from '../support/faults.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { StallProxy } from '../support/stall-proxy.js';
import { createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { requestWarm } from '../support/warming.js';

const STALL_TIMEOUT_MS = 2_000;

/**
 * A network path that hangs — packets dropped, no reset — between the service and one of its servers, made by a
 * TCP proxy that stops forwarding (support/stall-proxy.ts). Nothing fails by itself on such a path: the warm must be
 * found stuck by its progress (its leases stay fresh), and the API must keep answering within its timeouts.
 */
describe('a network hang', () => {
  describe('between the worker and PostgreSQL (source reads)', () => {
    let redisServer: PrivateRedis;
    let proxy: StallProxy;
    let t: TestApp;
    let token: string;

    beforeAll(async () => {
      const database = new URL(process.env.DATABASE_URL!);
      proxy = new StallProxy(database.hostname, Number(database.port || 5432));
      await proxy.listen();
      const viaProxy = new URL(database);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      redisServer = new PrivateRedis(await freePort());
      await redisServer.start();
      // Warming reads its source through SOURCE_DATABASE_URL (here: the proxy); the service's own queries do not.
      t = await createTestApp({
        ...FAULT_ENV,
        REDIS_URL: redisServer.url,
        SOURCE_DATABASE_URL: viaProxy.toString(),
        WARM_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS),
      });
      token = (await userWithToken(t, 'operator')).token;
    });
    afterAll(async () => {
      proxy?.resume();
      await t?.close();
      await proxy?.close();
      await redisServer?.destroy();
    });

    it('ends the stuck warm by its progress, hands the lock to the retry, keeps the API answering, and the retry completes', async () => {
      const id = await createDatasource(t, token, { practices: 5, providers: 200, periods: 10 });
      const initial = await waitForJobState(t, token, (await requestWarm(t, token, id)).jobId, isFinal);
      expect(initial.status).toBe('COMPLETED');

      const refresh = await requestWarm(t, token, id);
      await waitForJobState(t, token, refresh.jobId, (job) => job.status === 'RUNNING' && job.rowsProcessed > 0);
      proxy.stall();
      const stalledAt = Date.now();
      try {
        // Readers keep getting the live generation, and readiness (the service's own pool) stays 200.
        for (let i = 0; i < 10; i++)
          expect(await cachedAnswer(t, token, id)).toMatchObject({ source: 'cache', generation: initial.generation });
        await waitForReadiness(t, 200);

        const retrying = await waitForJobState(
          t,
          token,
          refresh.jobId,
          (job) => /no progress for 2 s/.test(job.failureReason ?? ''),
          30_000,
        );
        console.log(
          `[network-stall] source read stalled; the warm was ended after ${Date.now() - stalledAt} ms: ${retrying.status} — ${retrying.failureReason}`,
        );
        expect(retrying.failureReason).toContain('WARM_STALL_TIMEOUT_MS');
        // The stuck execution no longer holds the warming lock: the queued retry does (its job id, no execution token).
        expect(await t.app.get(WarmLocks).lockHolder(id)).toBe(refresh.jobId);
      } finally {
        proxy.resume();
      }

      const done = await waitForJobState(t, token, refresh.jobId, isFinal, 60_000);
      expect(done).toMatchObject({ status: 'COMPLETED', rowsProcessed: done.rowsTotal, failureReason: null });
      expect(await cachedAnswer(t, token, id)).toMatchObject({ source: 'cache', generation: done.generation });
      expect(await t.app.get(CacheRepository).storedGenerations(id)).toEqual(expect.arrayContaining([done.generation]));
    }, 120_000);
  });

  describe('between the service and Redis', () => {
    let redisServer: PrivateRedis;
    let proxy: StallProxy;
    let t: TestApp;
    let token: string;

    beforeAll(async () => {
      redisServer = new PrivateRedis(await freePort());
      await redisServer.start();
      proxy = new StallProxy('127.0.0.1', redisServer.port);
      await proxy.listen();
      t = await createTestApp({
        ...FAULT_ENV,
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        WARM_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS),
        REDIS_COMMAND_TIMEOUT_MS: '1000',
      });
      token = (await userWithToken(t, 'operator')).token;
    });
    afterAll(async () => {
      proxy?.resume();
      await t?.close();
      await proxy?.close();
      await redisServer?.destroy();
    });

    it('answers within its timeouts while Redis is unreachable, and the interrupted warm ends and is retried once the path heals', async () => {
      const id = await createDatasource(t, token, { practices: 5, providers: 200, periods: 10 });
      const initial = await waitForJobState(t, token, (await requestWarm(t, token, id)).jobId, isFinal);
      expect(initial.status).toBe('COMPLETED');

      const refresh = await requestWarm(t, token, id);
      await waitForJobState(t, token, refresh.jobId, (job) => job.status === 'RUNNING' && job.rowsProcessed > 0);
      proxy.stall();
      try {
        // Readiness gives up on Redis after its check timeout; a query fails with a retryable 503 after the command
        // timeout — neither waits for the network to come back.
        const ready = await waitForReadiness(t, 503);
        expect(ready).toMatchObject({ checks: { redis: { status: 'down' }, postgres: { status: 'up' } } });
        for (let i = 0; i < 3; i++) {
          const started = Date.now();
          const response = await queryOne(t, token, id);
          const took = Date.now() - started;
          console.log(
            `[network-stall] query while Redis hangs: ${response.status} ${(response.body as { code?: string }).code} after ${took} ms`,
          );
          expect({ status: response.status, code: (response.body as { code?: string }).code }).toEqual({
            status: 503,
            code: 'SERVICE_UNAVAILABLE',
          });
          expect(response.headers['retry-after']).toBeDefined();
        }
      } finally {
        proxy.resume();
      }

      expect(await waitForReadiness(t, 200)).toMatchObject({ status: 'ok' });
      const done = await waitForJobState(t, token, refresh.jobId, isFinal, 90_000);
      console.log(
        `[network-stall] warm interrupted by the Redis hang ended ${done.status}: ${done.failureReason ?? 'no failure reason'}`,
      );
      expect(done.status).toBe('COMPLETED');
      expect(await cachedAnswer(t, token, id)).toMatchObject({ source: 'cache', generation: done.generation });
    }, 180_000);
  });
});
