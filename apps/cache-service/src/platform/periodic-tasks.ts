import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { MonitoringTask } from '@ccc/shared-types';
import { RELEASE_LOCK, RENEW_LOCK } from '../redis/lock-scripts.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { Clock, type Timer } from './clock.js';

export type LeaseOutcome<T> = { ran: true; result: T } | { ran: false };

interface Registration {
  task: MonitoringTask;
  everyMs: number;
  run: () => Promise<unknown>;
}

/**
 * Periodic monitoring work (DESIGN.md §4.6): registered by the modules that own it, started by the
 * bootstrap once migrations have run, on the injected Clock's timers. Each scheduled round is
 * claimed once across replicas (a key per wall-clock period, whatever phase each replica's timer has), and
 * the work itself runs under a lease that also guards "run now" API calls, so runs never overlap.
 */
@Injectable()
export class PeriodicTasks implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PeriodicTasks.name);
  private readonly registrations: Registration[] = [];
  private started = false;
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly timers: Timer[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly clock: Clock,
  ) {}

  /** Declares a task; it starts with the others when the service has booted (and only where schedules are enabled). */
  register(task: MonitoringTask, everyMs: number, run: () => Promise<unknown>): void {
    const registration = { task, everyMs, run };
    this.registrations.push(registration);
    if (this.started) this.schedule(registration);
  }

  /** Starts every registered task (roles all and worker, when MONITORING_SCHEDULES is not false). */
  start(): void {
    if (this.started || !this.config.monitoring.schedulesEnabled || this.config.role === 'api') return;
    this.started = true;
    for (const registration of this.registrations) this.schedule(registration);
  }

  /**
   * Runs `fn` if no other process holds the task's lease; the lease is renewed while `fn` runs and released
   * after, and lapses by itself if this process dies.
   */
  async runExclusive<T>(task: MonitoringTask, fn: () => Promise<T>, leaseMs = 60_000): Promise<LeaseOutcome<T>> {
    const key = RedisKeys.lease(task);
    const token = randomUUID();
    const acquired = await this.redis.set(key, token, 'PX', leaseMs, 'NX');
    if (acquired !== 'OK') return { ran: false };
    const renew = this.clock.every(Math.max(1_000, Math.floor(leaseMs / 3)), () =>
      this.redis.eval(RENEW_LOCK, 1, key, token, String(leaseMs)).catch(() => undefined),
    );
    try {
      return { ran: true, result: await fn() };
    } finally {
      renew.stop();
      await this.redis.eval(RELEASE_LOCK, 1, key, token).catch(() => undefined);
    }
  }

  /** Stops scheduling and waits for rounds in progress, before the database and Redis connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers.splice(0)) timer.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims the current round of a task for this replica; false when another replica already ran it. */
  private async claimRound(registration: Registration): Promise<boolean> {
    const round = Math.floor(this.clock.now().getTime() / registration.everyMs);
    const claimed = await this.redis.set(
      RedisKeys.leaseRound(registration.task, round),
      '1',
      'PX',
      registration.everyMs,
      'NX',
    );
    return claimed === 'OK';
  }

  private schedule(registration: Registration): void {
    let running = false;
    const round = async (): Promise<void> => {
      if (!(await this.claimRound(registration))) return;
      await this.runExclusive(registration.task, registration.run);
    };
    const tick = async (): Promise<void> => {
      if (running || this.stopping) return;
      running = true;
      const work = round();
      this.inFlight.add(work);
      try {
        await work;
      } catch (error) {
        this.logger.warn(`${registration.task}: ${(error as Error).message}`);
      } finally {
        this.inFlight.delete(work);
        running = false;
      }
    };
    // The first round soon after start-up, so a restarted service catches up without waiting a whole period.
    this.timers.push(this.clock.every(registration.everyMs, tick, Math.min(registration.everyMs, 5_000)));
  }
}
