import { Redis } from 'ioredis';
import { PeriodicTasks } from '../src/platform/periodic-tasks.js';
import { RedisKeys } from '../src/redis/redis-keys.js';
import { ManualClock } from './support/clock.js';
import { freePort, PrivateRedis } from './support/redis-server.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Two service processes (replicas) on one Redis: a periodic task runs in one of them at a time. */
describe('periodic tasks under a Redis lease', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let a: TestApp;
  let b: TestApp;
  let tasksA: PeriodicTasks;
  let tasksB: PeriodicTasks;
  const clockA = new ManualClock();

  beforeAll(async () => {
    // A Redis of its own: other test files run tasks under the same lease names.
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    redis = new Redis(redisServer.url);
    [a, b] = await Promise.all([
      createTestApp({ REDIS_URL: redisServer.url }, { clock: clockA }),
      createTestApp({ REDIS_URL: redisServer.url }),
    ]);
    tasksA = a.app.get(PeriodicTasks);
    tasksB = b.app.get(PeriodicTasks);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('runs a task in exactly one of two replicas that start it at once, and releases the lease afterwards', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const work = (who: string) => async (): Promise<string> => {
      ran.push(who);
      await gate;
      return who;
    };
    const both = Promise.all([
      tasksA.runExclusive('usage-rollup', work('a')),
      tasksB.runExclusive('usage-rollup', work('b')),
    ]);
    while (ran.length === 0) await sleep(5);
    expect(await redis.exists(RedisKeys.lease('usage-rollup'))).toBe(1);
    release();
    const outcomes = await both;

    expect(ran).toHaveLength(1);
    expect(outcomes.filter((o) => o.ran)).toEqual([{ ran: true, result: ran[0] }]);
    expect(outcomes.filter((o) => !o.ran)).toEqual([{ ran: false }]);
    expect(await redis.exists(RedisKeys.lease('usage-rollup'))).toBe(0);
    // Free again: the other replica can run it now.
    expect(await tasksB.runExclusive('usage-rollup', async () => 'again')).toEqual({ ran: true, result: 'again' });
    expect(await tasksA.runExclusive('usage-rollup', async () => 'and again')).toEqual({
      ran: true,
      result: 'and again',
    });
  });

  it('keeps the lease while a long run renews it, releases it when the run fails, and leases of different tasks do not block each other', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const long = tasksA.runExclusive('index-collection', () => gate, 3_000);
    while ((await redis.exists(RedisKeys.lease('index-collection'))) === 0) await sleep(5);
    expect(await tasksB.runExclusive('recommendations', async () => 'other task')).toEqual({
      ran: true,
      result: 'other task',
    });
    // Most of the lease gone (as if 2.5 s had passed), then its renewal falls due (every lease / 3): it is whole again.
    await redis.pexpire(RedisKeys.lease('index-collection'), 500);
    await clockA.advance(1_000);
    expect(await redis.pttl(RedisKeys.lease('index-collection'))).toBeGreaterThan(2_000);
    expect(await tasksB.runExclusive('index-collection', async () => 'b')).toEqual({ ran: false });
    release();
    expect(await long).toEqual({ ran: true, result: undefined });

    await expect(
      tasksB.runExclusive('index-collection', async () => Promise.reject(new Error('collector broke'))),
    ).rejects.toThrow('collector broke');
    expect(await redis.exists(RedisKeys.lease('index-collection'))).toBe(0);
    expect(await tasksA.runExclusive('index-collection', async () => 'a')).toEqual({ ran: true, result: 'a' });
  });

  it('lets the lease of a replica that died lapse by itself', async () => {
    // What a crashed process leaves behind: a lease nobody renews.
    await redis.set(RedisKeys.lease('index-apply'), 'crashed-replica', 'PX', 300);
    expect(await tasksA.runExclusive('index-apply', async () => 'too early')).toEqual({ ran: false });
    while ((await redis.exists(RedisKeys.lease('index-apply'))) === 1) await sleep(20);
    expect(await tasksA.runExclusive('index-apply', async () => 'after lapse')).toEqual({
      ran: true,
      result: 'after lapse',
    });
  });
});
