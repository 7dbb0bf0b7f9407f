import { Inject, Injectable } from '@nestjs/common';
import { UsageCounters } from '../analytics-cache/usage-counters.js';
import { hourOf } from '../analytics-cache/query-counters.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { DEMO_TRAFFIC, demoHour } from './demo-traffic.js';

/** Three weeks: enough for the forecast's weekly seasonality (it needs two) and a week to backtest it on. */
const HISTORY_DAYS = 21;

/** The demo's week of query traffic (see demo-traffic.ts), written where the query API counts. */
@Injectable()
export class DemoTrafficService {
  constructor(
    private readonly datasources: DatasourcesService,
    private readonly usageCounters: UsageCounters,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /**
   * Writes the last HISTORY_DAYS complete days into the hourly counters (they live 8 days from now), once per Redis (a restart adds nothing);
   * the usage roll-up then turns them into patterns and recommendations like real traffic.
   * Returns how many datasources got a history.
   */
  async seedHistory(now = new Date()): Promise<number> {
    const claimed = await this.redis.set(RedisKeys.demoTrafficHistory(), now.toISOString(), 'NX');
    if (claimed !== 'OK') return 0;
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    let seeded = 0;
    for (const strategy of await this.datasources.entities()) {
      const profile = DEMO_TRAFFIC[strategy.name];
      if (!profile) continue;
      const counters = [];
      for (let h = HISTORY_DAYS * 24; h >= 1; h -= 1) {
        const hourStart = new Date(today - h * 3_600_000);
        const { requests, hits, latencyMicros } = demoHour(profile, strategy.datasourceId, hourStart);
        counters.push({ hour: hourOf(hourStart), hits, misses: requests - hits, latencyMicros });
      }
      await this.usageCounters.addQueryCounters(strategy.datasourceId, counters);
      seeded += 1;
    }
    return seeded;
  }
}
