import type { MonitoringTask } from '@ccc/shared-types';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/app-config.js';
import { PeriodicTasks } from '../src/platform/periodic-tasks.js';
import { ManualClock } from './support/clock.js';
import { freePort, PrivateRedis } from './support/redis-server.js';

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

  // One clock for both replicas, as wall-clock time is one: the test moves it, their timers fire in its order.
  const clock = new ManualClock(Math.floor(Date.now() / 2000) * 2000);
  const replica = (): PeriodicTasks => {
    const client = new Redis(redisServer.url);
    clients.push(client);
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      REDIS_URL: redisServer.url,
      MONITORING_SCHEDULES: 'true',
      SERVICE_ROLE: 'all',
    });
    return new PeriodicTasks(config, client, clock);
  };

  it('runs each round in one replica, and a shutdown waits for the round in progress', async () => {
    const task = 'test-round' as MonitoringTask;
    const periodMs = 400;
    const runs: string[] = [];
    let finished = 0;
    let hold: Promise<void> = Promise.resolve();
    const [a, b] = [replica(), replica()];
    const work = (who: string) => async (): Promise<void> => {
      runs.push(who);
      await hold;
      finished += 1;
    };
    a.register(task, periodMs, work('a'));
    a.start();
    await clock.advance(230); // a different phase for the second replica
    b.register(task, periodMs, work('b'));
    b.start();

    // Both timers fire every period (ten periods: twenty ticks); the per-round claim lets one run per round.
    await clock.advance(10 * periodMs);
    expect(runs).toHaveLength(10);
    expect(finished).toBe(10);

    // Shut both down mid-round: neither returns before its round has finished.
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const ticking = clock.advance(periodMs);
    while (runs.length === finished) await new Promise((resolve) => setImmediate(resolve));
    const stopped = Promise.all([a.beforeApplicationShutdown(), b.beforeApplicationShutdown()]);
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release();
    await stopped;
    await ticking;
    expect(finished).toBe(runs.length);
    const after = runs.length;
    await clock.advance(periodMs * 2);
    expect(runs.length).toBe(after);
  });
});
