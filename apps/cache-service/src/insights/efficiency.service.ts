import { Injectable } from '@nestjs/common';
import type { DatasourceEfficiency, EfficiencyReport } from '@ccc/shared-types';
import { CacheRepository } from '../analytics-cache/cache.repository.js';
import { hitRateOf } from '../analytics-cache/hit-rate.js';
import { UsageCounters } from '../analytics-cache/usage-counters.js';
import { hourOf, QueryCounters } from '../analytics-cache/query-counters.js';
import { utcDay } from '../common/time-window.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { efficiencyFigures } from './efficiency.js';
import { InsightsRepository } from './insights.repository.js';
import { addDays, hoursOfDay, parseDay, round2 } from './usage-analysis.js';
import { COUNTER_RETENTION_DAYS, UsagePatternsService } from './usage-patterns.service.js';

const HOUR_MS = 3600_000;

/**
 * Cache efficiency per datasource over the last N UTC days (seed 004, phase 4): hit-rate trend, memory per hit,
 * warming cost against queries served. Past days come from the usage patterns (or, before a day has been
 * rolled up, from the hourly counters while they last); today always from the live counters.
 */
@Injectable()
export class EfficiencyService {
  constructor(
    private readonly cache: CacheRepository,
    private readonly usageCounters: UsageCounters,
    private readonly counters: QueryCounters,
    private readonly usage: UsagePatternsService,
    private readonly insights: InsightsRepository,
    private readonly datasources: DatasourcesService,
  ) {}

  async report(days: number, now = new Date()): Promise<EfficiencyReport> {
    await this.counters.flush().catch(() => undefined);
    const today = utcDay(now);
    const firstDay = addDays(today, -(days - 1));
    const periodDays = Array.from({ length: days }, (_, i) => addDays(firstDay, i));
    const from = parseDay(firstDay)!;
    const strategies = await this.datasources.entities();
    const patterns = await this.usage.list({ from: firstDay, to: today }, now);
    const warms = await this.insights.completedWarms(from, new Date(now.getTime() + 1000));
    const oldestCounted = addDays(today, -COUNTER_RETENTION_DAYS);
    const lastDayHours = Array.from({ length: 24 }, (_, i) => hourOf(new Date(now.getTime() - (23 - i) * HOUR_MS)));

    const datasources: DatasourceEfficiency[] = [];
    for (const strategy of strategies) {
      const id = strategy.datasourceId;
      const byDay = new Map(patterns.filter((p) => p.cacheStrategyId === strategy.id).map((p) => [p.analysisDate, p]));
      const hitRateTrend: DatasourceEfficiency['hitRateTrend'] = [];
      let requests = 0;
      let hits = 0;
      for (const day of periodDays) {
        const pattern = day === today ? undefined : byDay.get(day);
        let dayRequests = 0;
        let dayHits = 0;
        if (pattern) {
          dayRequests = pattern.dailyRequests;
          dayHits = pattern.dailyCacheHits;
        } else if (day >= oldestCounted) {
          const usage = await this.usageCounters.hourlyUsage(id, hoursOfDay(day));
          dayRequests = usage.reduce((sum, u) => sum + u.requests, 0);
          dayHits = usage.reduce((sum, u) => sum + u.hits, 0);
        }
        requests += dayRequests;
        hits += dayHits;
        hitRateTrend.push({
          date: day,
          hitRate: dayRequests === 0 ? null : round2((dayHits / dayRequests) * 100),
          requests: dayRequests,
        });
      }
      const lastDay = await this.usageCounters.hourlyUsage(id, lastDayHours);
      const lastDayRequests = lastDay.reduce((sum, u) => sum + u.requests, 0);
      const lastDayHits = lastDay.reduce((sum, u) => sum + u.hits, 0);
      const meta = await this.cache.meta(id);
      datasources.push({
        datasourceId: id,
        name: strategy.name,
        hitRateTrend,
        currentHitRate: lastDayRequests === 0 ? null : round2((lastDayHits / lastDayRequests) * 100),
        hitRate: hitRateOf(await this.usageCounters.windowUsage(id, now)),
        ...efficiencyFigures({
          requests,
          hits,
          memoryBytes: meta.generation === null ? 0 : meta.bytes,
          warmDurationsSeconds: warms.filter((w) => w.cacheStrategyId === strategy.id).map((w) => w.seconds),
        }),
      });
    }
    return {
      generatedAt: now.toISOString(),
      periodDays: days,
      from: from.toISOString(),
      to: now.toISOString(),
      datasources,
    };
  }
}
