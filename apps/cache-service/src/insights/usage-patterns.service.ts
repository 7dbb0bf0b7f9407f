import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AccessPattern, HourlyUsage, UsagePattern } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { UsageCounters } from '../analytics-cache/usage-counters.js';
import { hourOf, QueryCounters } from '../analytics-cache/query-counters.js';
import { AppError } from '../common/app-error.js';
import { parseWindow, utcDay } from '../common/time-window.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { addDays, analyseDay, DAY_MS, hoursOfDay, isForeignKeyViolation, parseDay, round2 } from './usage-analysis.js';
import { UsagePatternEntity } from './usage-pattern.entity.js';

export const ROLLUP_EVERY_MS = 10 * 60_000;
/** Complete UTC days the periodic rollup looks back over. */
export const ROLLUP_LOOKBACK_DAYS = 7;
/** The hourly counters live 8 days; older days cannot be rolled up. */
export const COUNTER_RETENTION_DAYS = 8;
export const MAX_PATTERN_RANGE_DAYS = 366;
export const DEFAULT_PATTERN_RANGE_DAYS = 30;
export const MAX_HOURLY_RANGE_MS = 8 * DAY_MS;
export const DEFAULT_HOURLY_RANGE_MS = 48 * 3600_000;
const HOUR_MS = 3600_000;

export interface PatternQuery {
  datasourceId?: number;
  from?: string;
  to?: string;
}

export interface HourlyQuery {
  datasourceId?: number;
  from?: string;
  to?: string;
}

type PatternRow = UsagePatternEntity & { datasourceId: number; datasourceName: string };

function toUsagePattern(row: PatternRow): UsagePattern {
  return {
    id: row.id,
    cacheStrategyId: row.cacheStrategyId,
    datasourceId: row.datasourceId,
    datasourceName: row.datasourceName,
    resourceType: row.resourceType,
    accessPattern: row.accessPattern as AccessPattern,
    peakHourStart: row.peakHourStart,
    peakHourEnd: row.peakHourEnd,
    averageHitRate: row.averageHitRate,
    peakHitRate: row.peakHitRate,
    optimalTtlSeconds: row.optimalTtlSeconds,
    dailyRequests: row.dailyRequests,
    dailyCacheHits: row.dailyCacheHits,
    hourlyRequests: row.hourlyRequests,
    hourlyHits: row.hourlyHits,
    analysisDate: row.analysisDate,
    calculatedAt: row.calculatedAt.toISOString(),
  };
}

/**
 * Daily usage patterns rolled up from the query API's hourly Redis counters, and those counters for charts.
 */
@Injectable()
export class UsagePatternsService implements OnModuleInit {
  private readonly logger = new Logger(UsagePatternsService.name);
  private readonly rollupListeners: Array<() => Promise<unknown>> = [];

  constructor(
    private readonly usageCounters: UsageCounters,
    private readonly counters: QueryCounters,
    private readonly periodic: PeriodicTasks,
    private readonly datasources: DatasourcesService,
    @InjectRepository(UsagePatternEntity) private readonly patterns: Repository<UsagePatternEntity>,
  ) {}

  onModuleInit(): void {
    this.periodic.register('usage-rollup', ROLLUP_EVERY_MS, async () => {
      const rolledUp = await this.rollupMissing();
      if (rolledUp > 0)
        for (const listener of this.rollupListeners)
          await listener().catch((error: Error) => this.logger.warn(`after rollup: ${error.message}`));
    });
  }

  /** Runs `listener` after a scheduled rollup that wrote new patterns (the recommendations follow the data). */
  onRolledUp(listener: () => Promise<unknown>): void {
    this.rollupListeners.push(listener);
  }

  /** The manual rollup: one UTC day (default yesterday; today gives a partial day) of every datasource. */
  async rollup(date: string | undefined, now = new Date()): Promise<UsagePattern[]> {
    const today = utcDay(now);
    const day = date ?? addDays(today, -1);
    if (!parseDay(day)) throw AppError.invalidField('date', 'date must be a calendar day, YYYY-MM-DD');
    if (day > today) throw AppError.invalidField('date', `date ${day} is in the future`);
    if (day < addDays(today, -COUNTER_RETENTION_DAYS)) {
      throw AppError.invalidField(
        'date',
        `date ${day} is more than ${COUNTER_RETENTION_DAYS} days ago: its hourly counters have expired`,
      );
    }
    await this.counters.flush().catch(() => undefined);
    const ids = await this.rollupDay(day);
    return this.byIds(ids);
  }

  /**
   * The periodic rollup: each of the last ROLLUP_LOOKBACK_DAYS complete UTC days that has no complete pattern yet
   * (none, or one calculated while the day was still running). Idempotent. Returns the patterns written.
   */
  async rollupMissing(now = new Date()): Promise<number> {
    const today = utcDay(now);
    let written = 0;
    for (let back = ROLLUP_LOOKBACK_DAYS; back >= 1; back -= 1) {
      const day = addDays(today, -back);
      const dayEnd = new Date(parseDay(day)!.getTime() + DAY_MS);
      // Datasources without a pattern for the day calculated after it ended (the patterns are ours, the datasources not).
      const done = await this.patterns
        .createQueryBuilder('p')
        .select('p.cache_strategy_id', 'id')
        .where(`p.resource_type = 'ANALYTICS_DATASOURCE' AND p.analysis_date = :day AND p.calculated_at >= :dayEnd`, {
          day,
          dayEnd,
        })
        .getRawMany<{ id: string }>();
      const rolledUp = new Set(done.map((row) => row.id));
      const strategies = (await this.datasources.entities()).filter((s) => !rolledUp.has(s.id));
      if (strategies.length > 0) written += (await this.rollupDay(day, strategies)).length;
    }
    return written;
  }

  /**
   * Analyses one day for the given datasources (default all) and upserts their patterns. A datasource created after
   * the day ended is left out unless it has traffic that day (synthetic or imported counters).
   */
  private async rollupDay(day: string, strategies?: CacheStrategyEntity[]): Promise<string[]> {
    const list = strategies ?? (await this.datasources.entities());
    const dayEnd = parseDay(day)!.getTime() + DAY_MS;
    const hours = hoursOfDay(day);
    const ids: string[] = [];
    for (const strategy of list) {
      const usage = await this.usageCounters.hourlyUsage(strategy.datasourceId, hours);
      const analysis = analyseDay(
        usage.map((u) => u.requests),
        usage.map((u) => u.hits),
        strategy.stalenessTtlSeconds,
      );
      if (analysis.dailyRequests === 0 && strategy.createdAt.getTime() >= dayEnd) continue;
      let rows: Array<{ id: string }>;
      try {
        rows = (await this.patterns.query(
          `INSERT INTO cache_usage_pattern (cache_strategy_id, resource_type, access_pattern, peak_hour_start, peak_hour_end, average_hit_rate,
                                            peak_hit_rate, optimal_ttl_seconds, daily_requests, daily_cache_hits, hourly_requests, hourly_hits,
                                            analysis_date, calculated_at)
           VALUES ($1, 'ANALYTICS_DATASOURCE', $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, now())
           ON CONFLICT ON CONSTRAINT uq_usage_pattern_day DO UPDATE SET
             access_pattern = EXCLUDED.access_pattern, peak_hour_start = EXCLUDED.peak_hour_start, peak_hour_end = EXCLUDED.peak_hour_end,
             average_hit_rate = EXCLUDED.average_hit_rate, peak_hit_rate = EXCLUDED.peak_hit_rate, optimal_ttl_seconds = EXCLUDED.optimal_ttl_seconds,
             daily_requests = EXCLUDED.daily_requests, daily_cache_hits = EXCLUDED.daily_cache_hits, hourly_requests = EXCLUDED.hourly_requests,
             hourly_hits = EXCLUDED.hourly_hits, calculated_at = now()
           RETURNING id`,
          [
            strategy.id,
            analysis.accessPattern,
            analysis.peakHourStart,
            analysis.peakHourEnd,
            analysis.averageHitRate,
            analysis.peakHitRate,
            analysis.optimalTtlSeconds,
            analysis.dailyRequests,
            analysis.dailyCacheHits,
            JSON.stringify(analysis.hourlyRequests),
            JSON.stringify(analysis.hourlyHits),
            day,
          ],
        )) as Array<{ id: string }>;
      } catch (error) {
        if (isForeignKeyViolation(error)) continue; // the datasource was deleted meanwhile
        throw error;
      }
      ids.push(rows[0].id);
    }
    return ids;
  }

  /**
   * Patterns in a range of UTC days, both ends inclusive (default: to = today, from = 29 days before to; at most
   * MAX_PATTERN_RANGE_DAYS days), newest first. The days are checked as calendar days, then as the window
   * [from 00:00, to + 1 day 00:00) by the shared window rule.
   */
  async list(query: PatternQuery, now = new Date()): Promise<UsagePattern[]> {
    const day = (value: string | undefined, field: 'from' | 'to'): Date | undefined => {
      if (value === undefined) return undefined;
      const parsed = parseDay(value);
      if (!parsed) throw AppError.invalidField(field, `${field} must be a calendar day, YYYY-MM-DD`);
      return parsed;
    };
    const toDay = day(query.to, 'to');
    const window = parseWindow(
      { from: day(query.from, 'from'), to: toDay && new Date(toDay.getTime() + DAY_MS) },
      {
        defaultMs: DEFAULT_PATTERN_RANGE_DAYS * DAY_MS,
        maxMs: MAX_PATTERN_RANGE_DAYS * DAY_MS,
        now: new Date(parseDay(utcDay(now))!.getTime() + DAY_MS),
      },
    );
    const from = utcDay(window.from);
    const to = utcDay(new Date(window.to.getTime() - DAY_MS));
    const builder = this.rowsQuery().where('p.analysis_date BETWEEN :from AND :to', { from, to });
    if (query.datasourceId !== undefined) {
      const strategy = await this.datasources.getEntity(query.datasourceId);
      builder.andWhere('p.cache_strategy_id = :sid', { sid: strategy.id });
    }
    return this.mapRows(builder.orderBy('p.analysis_date', 'DESC'));
  }

  /**
   * The latest complete-day pattern of each datasource analysed on or after `since` (YYYY-MM-DD). A pattern
   * calculated while its day was still running (a manual rollup of today) describes part of a day — a quiet
   * morning reads as IDLE — so the rules do not act on it.
   */
  async latestPerDatasource(since: string): Promise<Map<string, UsagePattern>> {
    const rows = await this.mapRows(
      this.rowsQuery()
        .where('p.analysis_date >= :since', { since })
        .andWhere(`p.resource_type = 'ANALYTICS_DATASOURCE'`)
        .andWhere(`p.calculated_at >= ((p.analysis_date + 1)::timestamp AT TIME ZONE 'UTC')`)
        .orderBy('p.analysis_date', 'DESC'),
    );
    const latest = new Map<string, UsagePattern>();
    for (const row of rows) if (!latest.has(row.cacheStrategyId)) latest.set(row.cacheStrategyId, row);
    return latest;
  }

  /**
   * Hourly request/hit counters of one datasource or all: every hour that overlaps [from, to) (default the last
   * 48 hours, at most 8 days — the counters' lifetime).
   */
  async hourly(query: HourlyQuery, now = new Date()): Promise<HourlyUsage[]> {
    const window = parseWindow(query, { defaultMs: DEFAULT_HOURLY_RANGE_MS, maxMs: MAX_HOURLY_RANGE_MS, now });
    const from = window.from.getTime();
    const to = window.to.getTime();
    const strategies =
      query.datasourceId !== undefined
        ? [await this.datasources.getEntity(query.datasourceId)]
        : await this.datasources.entities();
    await this.counters.flush().catch(() => undefined);
    const starts: Date[] = [];
    for (let t = Math.floor(from / HOUR_MS) * HOUR_MS; t < to; t += HOUR_MS) starts.push(new Date(t));
    const result: HourlyUsage[] = [];
    for (const strategy of strategies) {
      const usage = await this.usageCounters.hourlyUsage(strategy.datasourceId, starts.map(hourOf));
      usage.forEach((u, i) =>
        result.push({
          datasourceId: strategy.datasourceId,
          hour: starts[i].toISOString(),
          requests: u.requests,
          hits: u.hits,
          hitRate: u.requests === 0 ? null : round2((u.hits / u.requests) * 100),
          avgQueryTimeMs: u.requests === 0 ? null : round2(u.latencyMicros / u.requests / 1000),
        }),
      );
    }
    return result;
  }

  private rowsQuery() {
    return this.patterns.createQueryBuilder('p');
  }

  /**
   * The rows with their datasource's id and name, read from the datasources' owner; in the builder's order, and
   * within one day by datasource.
   */
  private async mapRows(builder: ReturnType<UsagePatternsService['rowsQuery']>): Promise<UsagePattern[]> {
    const entities = await builder.getMany();
    const strategies = await this.datasources.entitiesByStrategyIds([
      ...new Set(entities.map((entity) => entity.cacheStrategyId)),
    ]);
    const byId = new Map(strategies.map((s) => [s.id, s]));
    const rows = entities
      .filter((entity) => byId.has(entity.cacheStrategyId))
      .map((entity) =>
        toUsagePattern({
          ...entity,
          datasourceId: byId.get(entity.cacheStrategyId)!.datasourceId,
          datasourceName: byId.get(entity.cacheStrategyId)!.name,
        } as PatternRow),
      );
    // Stable: the builder's order first (analysis day), then datasource id.
    return rows
      .map((row, index) => ({ row, index }))
      .sort((a, b) =>
        a.row.analysisDate === b.row.analysisDate ? a.row.datasourceId - b.row.datasourceId : a.index - b.index,
      )
      .map(({ row }) => row);
  }

  private async byIds(ids: string[]): Promise<UsagePattern[]> {
    if (ids.length === 0) return [];
    return this.mapRows(this.rowsQuery().where('p.id IN (:...ids)', { ids }).orderBy('p.analysis_date', 'DESC'));
  }
}
