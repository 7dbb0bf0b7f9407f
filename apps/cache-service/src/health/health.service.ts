import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ReadinessResponse } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';
import { REDIS, type RedisClient } from '../redis/redis.module.js';

const CHECK_TIMEOUT_MS = 1500;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  async readiness(): Promise<ReadinessResponse> {
    const [redis, postgres] = await Promise.all([
      this.check(() => this.redis.ping()),
      this.check(() => this.db.query('SELECT 1')),
    ]);
    const checks = { redis, postgres };
    const ok = Object.values(checks).every((check) => check.status === 'up');
    return { status: ok ? 'ok' : 'error', checks };
  }

  private async check(probe: () => Promise<unknown>): Promise<ReadinessResponse['checks'][string]> {
    const started = performance.now();
    try {
      await withTimeout(probe(), CHECK_TIMEOUT_MS);
      return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  }
}
