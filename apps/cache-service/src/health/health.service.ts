import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ReadinessResponse } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { JobRepository } from '../warming/job.repository.js';

const CHECK_TIMEOUT_MS = 1500;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}

type Check = ReadinessResponse['checks'][string];

/** A lane is up when every worker it started consumes; `required`: a role that runs workers must have started one. */
function laneCheck(name: string, lane: { running: number; total: number }, required: boolean): Check {
  const up = lane.running === lane.total && (lane.total > 0 || !required);
  const error = up
    ? undefined
    : `${lane.running} of ${lane.total} ${name} worker(s) consuming (starting up, paused or stopping)`;
  return { status: up ? 'up' : 'down', running: lane.running, total: lane.total, ...(error ? { error } : {}) };
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobRepository,
  ) {}

  /**
   * Redis and PostgreSQL answer; in roles all and worker also the workers consume: the warming workers always, the
   * notification worker when a webhook or e-mail is configured (a worker container that cannot consume is not ready).
   */
  async readiness(): Promise<ReadinessResponse> {
    const [redis, postgres] = await Promise.all([
      this.check(() => this.redis.ping()),
      this.check(() => this.db.query('SELECT 1')),
    ]);
    const checks: ReadinessResponse['checks'] = { redis, postgres };
    if (this.config.role !== 'api') {
      const lanes = this.jobs.workerState();
      checks.workers = laneCheck('warming', lanes.warming, true);
      if (lanes.notifications.total > 0) checks.notifications = laneCheck('notification', lanes.notifications, false);
    }
    const ok = Object.values(checks).every((check) => check.status === 'up');
    return { status: ok ? 'ok' : 'error', checks };
  }

  private async check(probe: () => Promise<unknown>): Promise<Check> {
    const started = performance.now();
    try {
      await withTimeout(probe(), CHECK_TIMEOUT_MS);
      return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  }
}
