import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { DemandForecast, ForecastBacktest } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { UsageCounters } from '../analytics-cache/usage-counters.js';
import { utcDay } from '../common/time-window.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { forecastHours, HOURS_PER_DAY, MAX_FORECAST_HISTORY_DAYS } from './forecast.js';
import { backtest, predictedDays, warmingPlan, type DayCounts, type WarmingForecast } from './forecast-plan.js';
import { InsightsRepository } from './insights.repository.js';
import { cronBefore } from './recommendation-rules.js';
import { addDays, DAY_MS, hoursOfDay, parseDay } from './usage-analysis.js';
import { UsagePatternEntity } from './usage-pattern.entity.js';

export const DEFAULT_FORECAST_HOURS = 48;
export const DEFAULT_BACKTEST_DAYS = 7;
export const MAX_BACKTEST_DAYS = 28;
/** Warms of this many past days measure how long a warm takes (the lead before a predicted rise). */
export const WARM_MEASURE_DAYS = 7;
const HOUR_MS = 3600_000;

/**
 * The demand forecast of a datasource (forecast.ts) fed with its history, its backtest, and the warm-before-the-rise
 * plan the PREDICTIVE_WARMING rule proposes.
 *
 * History: whole UTC days up to yesterday, oldest first. A day comes from its usage pattern when one was rolled up
 * after the day ended, else from the hourly Redis counters (a day not rolled up yet, or the demo's replayed weeks);
 * counters older than their 8-day lifetime read as zeros. Leading days without any request are left out (the
 * datasource did not exist or was unused: nothing to learn from).
 */
@Injectable()
export class ForecastService {
  constructor(
    private readonly datasources: DatasourcesService,
    private readonly usageCounters: UsageCounters,
    private readonly insights: InsightsRepository,
    @InjectRepository(UsagePatternEntity) private readonly patterns: Repository<UsagePatternEntity>,
  ) {}

  /** The next `hours` hours from the start of the current one, with the predicted days and the warming plan. */
  async forecast(datasourceId: number, hours = DEFAULT_FORECAST_HOURS, now = new Date()): Promise<DemandForecast> {
    const strategy = await this.datasources.getEntity(datasourceId);
    const today = utcDay(now);
    const history = await this.history(strategy, addDays(today, -1), MAX_FORECAST_HISTORY_DAYS);
    const elapsed = Math.floor((now.getTime() - parseDay(today)!.getTime()) / HOUR_MS);
    const fit = forecastHours(
      history.flatMap((d) => d.hourlyRequests),
      Math.max(elapsed + hours, 2 * HOURS_PER_DAY),
    );
    const days = predictedDays(today, fit.values.slice(0, 2 * HOURS_PER_DAY), addDays);
    const plan = warmingPlan(fit.model, days, await this.recentWarmSeconds(strategy, now));
    const midnight = parseDay(today)!.getTime();
    return {
      datasourceId: strategy.datasourceId,
      datasourceName: strategy.name,
      generatedAt: now.toISOString(),
      historyEnd: history.length > 0 ? history[history.length - 1].date : null,
      historyDays: history.length,
      model: fit.model,
      points: fit.values.slice(elapsed, elapsed + hours).map((requests, i) => ({
        hour: new Date(midnight + (elapsed + i) * HOUR_MS).toISOString(),
        requests,
      })),
      days,
      warming: plan && {
        warmSchedule: cronBefore(plan.day.peakHourStart, plan.leadSeconds),
        riseHour: plan.day.peakHourStart,
        date: plan.day.date,
        leadSeconds: plan.leadSeconds,
        measuredWarmSeconds: plan.measuredWarmSeconds,
      },
    };
  }

  /** The last `days` complete days, each forecast from the days before it and compared with yesterday's copy. */
  async backtest(datasourceId: number, days = DEFAULT_BACKTEST_DAYS, now = new Date()): Promise<ForecastBacktest> {
    const strategy = await this.datasources.getEntity(datasourceId);
    const history = await this.history(strategy, addDays(utcDay(now), -1), MAX_FORECAST_HISTORY_DAYS + days);
    const result = backtest(history, days);
    return {
      datasourceId: strategy.datasourceId,
      datasourceName: strategy.name,
      errorMeasure: 'WAPE',
      historyDays: history.length,
      forecast: result.forecastError,
      rule: result.ruleError,
      days: result.days.map((d) => ({
        date: d.date,
        method: d.method,
        forecast: d.forecastError,
        rule: d.ruleError,
      })),
      hours: result.days.flatMap((d) => {
        const midnight = parseDay(d.date)!.getTime();
        return d.actual.map((actual, hour) => ({
          hour: new Date(midnight + hour * HOUR_MS).toISOString(),
          actual,
          forecast: d.forecast[hour],
          rule: d.rule[hour],
        }));
      }),
    };
  }

  /** The plan the PREDICTIVE_WARMING rule acts on (null when no day ahead is predicted to peak). */
  async warmingForecast(
    strategy: CacheStrategyEntity,
    recentWarmSeconds: number[],
    now = new Date(),
  ): Promise<WarmingForecast | null> {
    const today = utcDay(now);
    const history = await this.history(strategy, addDays(today, -1), MAX_FORECAST_HISTORY_DAYS);
    if (history.length === 0) return null;
    const fit = forecastHours(
      history.flatMap((d) => d.hourlyRequests),
      2 * HOURS_PER_DAY,
    );
    return warmingPlan(fit.model, predictedDays(today, fit.values, addDays), recentWarmSeconds);
  }

  private async recentWarmSeconds(strategy: CacheStrategyEntity, now: Date): Promise<number[]> {
    const warms = await this.insights.completedWarms(new Date(now.getTime() - WARM_MEASURE_DAYS * DAY_MS), now);
    return warms.filter((w) => w.cacheStrategyId === strategy.id).map((w) => w.seconds);
  }

  /** Up to `maxDays` whole days ending with `lastDay`, oldest first (see the class comment). */
  private async history(strategy: CacheStrategyEntity, lastDay: string, maxDays: number): Promise<DayCounts[]> {
    const firstDay = addDays(lastDay, -(maxDays - 1));
    const rows = await this.patterns
      .createQueryBuilder('p')
      .where('p.cache_strategy_id = :sid', { sid: strategy.id })
      .andWhere(`p.resource_type = 'ANALYTICS_DATASOURCE'`)
      .andWhere('p.analysis_date BETWEEN :firstDay AND :lastDay', { firstDay, lastDay })
      .andWhere(`p.calculated_at >= ((p.analysis_date + 1)::timestamp AT TIME ZONE 'UTC')`)
      .getMany();
    const rolledUp = new Map(
      rows.filter((r) => r.hourlyRequests.length === HOURS_PER_DAY).map((r) => [r.analysisDate, r.hourlyRequests]),
    );
    const dates = Array.from({ length: maxDays }, (_, i) => addDays(firstDay, i));
    const missing = dates.filter((date) => !rolledUp.has(date));
    const counted = await this.usageCounters.hourlyUsage(strategy.datasourceId, missing.flatMap(hoursOfDay));
    const days = dates.map((date) => ({
      date,
      hourlyRequests:
        rolledUp.get(date) ??
        counted
          .slice(missing.indexOf(date) * HOURS_PER_DAY, (missing.indexOf(date) + 1) * HOURS_PER_DAY)
          .map((u) => u.requests),
    }));
    const first = days.findIndex((d) => d.hourlyRequests.some((requests) => requests > 0));
    return first < 0 ? [] : days.slice(first);
  }
}
