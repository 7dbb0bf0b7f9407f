import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { CacheKeys, hourOf } from '../redis/redis-keys.js';
import {
  hitRateWindowMinutes,
  MINUTE_USAGE_TTL_SECONDS,
  minutesStillKept,
  sumUsage,
  type WindowUsage,
} from './hit-rate.js';

/** How long the hourly usage counters are kept (older hours live on in the daily usage patterns). */
export const USAGE_RETENTION_HOURS = 8 * 24;
const HOUR_MS = 3_600_000;
const num = (value: string | undefined): number => (value ? Number(value) : 0);

/**
 * The query API's counters in Redis: per datasource hits, misses and latency since the last warm, per hour
 * (kept 8 days) and per minute (for the hit-rate window, hit-rate.ts). QueryCounters tallies in process and adds them here.
 */
@Injectable()
export class UsageCounters {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  /**
   * Adds one datasource's aggregated query counters (and its hourly usage counters) in one MULTI: its keys
   * share the `{ds:N}` hash tag (one Cluster slot), and all or nothing is applied, so a caller may safely
   * keep the tallies and retry when this throws.
   */
  async addQueryCounters(
    datasourceId: number,
    counters: Array<{ hits: number; misses: number; latencyMicros: number; hour: string; minute?: string }>,
  ): Promise<void> {
    if (counters.length === 0) return;
    const pipeline = this.redis.multi();
    for (const c of counters.map((counter) => ({ ...counter, datasourceId }))) {
      const stats = CacheKeys.queryStats(c.datasourceId);
      pipeline.hincrby(stats, 'hits', c.hits);
      pipeline.hincrby(stats, 'misses', c.misses);
      pipeline.hincrby(stats, 'latencyMicros', c.latencyMicros);
      // Live traffic also counts per minute, for the hit-rate window; a replayed history (the demo's) has no minute.
      const usage = [{ key: CacheKeys.hourlyUsage(c.datasourceId, c.hour), ttl: USAGE_RETENTION_HOURS * 3600 }];
      if (c.minute !== undefined)
        usage.push({ key: CacheKeys.minuteUsage(c.datasourceId, c.minute), ttl: MINUTE_USAGE_TTL_SECONDS });
      for (const { key, ttl } of usage) {
        pipeline
          .hincrby(key, 'requests', c.hits + c.misses)
          .hincrby(key, 'hits', c.hits)
          .hincrby(key, 'latencyMicros', c.latencyMicros)
          .expire(key, ttl);
      }
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /**
   * The hourly query-API counters of one datasource for the given UTC hours (`YYYYMMDDHH`), zeros for hours
   * without traffic. Kept 8 days; older hours live on in the daily usage patterns.
   */
  async hourlyUsage(
    datasourceId: number,
    hours: string[],
  ): Promise<Array<{ hour: string; requests: number; hits: number; latencyMicros: number }>> {
    const usage = await this.readUsage(hours.map((hour) => CacheKeys.hourlyUsage(datasourceId, hour)));
    return usage.map((u, i) => ({ hour: hours[i], ...u }));
  }

  /** The datasource's requests, hits and latency over the hit-rate window ending at `now` (hit-rate.ts). */
  async windowUsage(datasourceId: number, now = new Date()): Promise<WindowUsage> {
    return sumUsage(
      await this.readUsage(hitRateWindowMinutes(now).map((minute) => CacheKeys.minuteUsage(datasourceId, minute))),
    );
  }

  private async readUsage(keys: string[]): Promise<WindowUsage[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const results = (await pipeline.exec()) ?? [];
    return keys.map((_, i) => {
      const raw = (results[i]?.[1] ?? {}) as Record<string, string>;
      return { requests: num(raw.requests), hits: num(raw.hits), latencyMicros: num(raw.latencyMicros) };
    });
  }

  async queryCounters(datasourceId: number): Promise<{ hits: number; misses: number; latencyMicros: number }> {
    const raw = await this.redis.hgetall(CacheKeys.queryStats(datasourceId));
    return { hits: num(raw.hits), misses: num(raw.misses), latencyMicros: num(raw.latencyMicros) };
  }

  /**
   * Deletes every counter of a datasource: every hour and minute they can still be kept for (and some ahead, for
   * clocks that differ), one UNLINK (the keys share the datasource's slot).
   */
  async forget(datasourceId: number): Promise<void> {
    const now = Date.now();
    const hours = Array.from({ length: USAGE_RETENTION_HOURS + 2 }, (_, i) =>
      hourOf(new Date(now + HOUR_MS - i * HOUR_MS)),
    );
    const usage = [
      ...hours.map((hour) => CacheKeys.hourlyUsage(datasourceId, hour)),
      ...minutesStillKept(now).map((minute) => CacheKeys.minuteUsage(datasourceId, minute)),
    ];
    await this.redis.unlink(CacheKeys.queryStats(datasourceId), ...usage);
  }
}
