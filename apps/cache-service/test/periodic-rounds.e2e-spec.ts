import { SchedulerRegistry } from '@nestjs/schedule';
import type { MonitoringTask } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/app-config.js';
import { PeriodicTasks } from '../src/platform/periodic-tasks.js';
import { freePort, PrivateRedis } from './support/redis-server.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Two replicas whose timers tick at their own phase: each scheduled round still runs once, not once per replica. */
describe('scheduled rounds of a periodic task across replicas', () => {
  let redisServer: PrivateRedis;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
  });
  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await redisServer?.stop();
  });

  const replica = (): PeriodicTasks => {
    const client = new Redis(redisServer.url);
    clients.push(client);
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', REDIS_URL: redisServer.url, MONITORING_SCHEDULES: 'true', SERVICE_ROLE: 'all' });
    return new PeriodicTasks(config, client, new SchedulerRegistry());
  };

  it('runs each round in one replica, and a shutdown waits for the round in progress', async () => {
    const task = 'test-round' as MonitoringTask;
    const periodMs = 400;
    const runs: string[] = [];
    let finished = 0;
    const [a, b] = [replica(), replica()];
    const work = (who: string) => async (): Promise<void> => {
      runs.push(who);
      await sleep(100);
      finished += 1;
    };
    a.register(task, periodMs, work('a'));
    a.start();
    await sleep(230); // a different phase for the second replica, clear of the first one's runs
    b.register(task, periodMs, work('b'));
    b.start();

    const startedAt = Date.now();
    await sleep(3_000);
    const rounds = Math.ceil((Date.now() - startedAt) / periodMs) + 2;
    // Both timers fire every period: without the per-round claim this would be about twice the rounds.
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs.length).toBeLessThanOrEqual(rounds);

    // Shut both down mid-round: neither returns before its round has finished.
    while (runs.length === finished) await sleep(10);
    await Promise.all([a.beforeApplicationShutdown(), b.beforeApplicationShutdown()]);
    expect(finished).toBe(runs.length);
    const after = runs.length;
    await sleep(periodMs * 2);
    expect(runs.length).toBe(after);
  });
});
