import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ThresholdMetricType } from '@ccc/shared-types';
import { THRESHOLD_METRIC_TYPES, THRESHOLD_METRICS } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { CacheRepository } from '../analytics-cache/cache.repository.js';
import { hitRateOf } from '../analytics-cache/hit-rate.js';
import { UsageCounters } from '../analytics-cache/usage-counters.js';
import { hourOf } from '../analytics-cache/query-counters.js';
import { ChangeCaptureService, inCdcMode } from '../change-capture/change-capture.service.js';
import { SlotFigures } from '../change-capture/slot-metrics.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { parseSourceName } from '../datasources/source-name.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { AlertMetricsRepository } from './alert-metrics.repository.js';
import { PerformanceThresholdEntity } from './performance-threshold.entity.js';

/** One threshold applied to one target (a datasource, a datasource's table, the database or Redis). */
export interface Check {
  metric: ThresholdMetricType;
  threshold: PerformanceThresholdEntity;
  strategy: CacheStrategyEntity | null;
  tableName: string | null;
}

export interface Measured extends Check {
  /** Null = no data: neither fires nor resolves (except after a long silence, see `noTraffic`). */
  value: number | null;
  /** The datasource's query API had no requests in the window (rates have no value then). */
  noTraffic?: boolean;
}

/** Rates of query-API traffic: without requests they have no value, and an alert on them resolves after a long silence. */
export const TRAFFIC_METRICS = new Set<ThresholdMetricType>(['CACHE_HIT_RATIO', 'QUERY_TIME']);

/** The key of one open alert: at most one per (strategy, alert type). */
export const alertKey = (strategyId: string | null, alertType: string): string => `${strategyId ?? '-'}|${alertType}`;
const HOUR_MS = 3_600_000;

/**
 * The reading half of alerting: which thresholds apply to what (checks), and the current value of each
 * (measure) from Redis, the query counters, PostgreSQL's statistics and the warming history. Reads only;
 * AlertEvaluator turns the values into alert transitions.
 */
@Injectable()
export class AlertMeasurements {
  private readonly logger = new Logger(AlertMeasurements.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(PerformanceThresholdEntity) private readonly thresholds: Repository<PerformanceThresholdEntity>,
    private readonly datasources: DatasourcesService,
    private readonly cache: CacheRepository,
    private readonly usageCounters: UsageCounters,
    private readonly metrics: AlertMetricsRepository,
    private readonly policy: SourcePolicy,
    private readonly changeCapture: ChangeCaptureService,
    private readonly slotFigures: SlotFigures,
  ) {}

  /**
   * Which threshold applies to what: per datasource, its own threshold overrides the global one (also when
   * the own one is disabled: that silences the metric for the datasource); per table, a threshold naming the
   * table overrides the global one. Disabled datasources are not evaluated. QUERY_TIME thresholds naming a
   * table are slow-query thresholds for the query log, not evaluated here.
   */
  async checks(): Promise<Check[]> {
    const all = await this.thresholds.find({ where: { isActive: true }, order: { createdAt: 'ASC' } });
    const strategies = await this.datasources.entities({ enabledOnly: true });
    const checks: Check[] = [];
    for (const metric of THRESHOLD_METRIC_TYPES) {
      const list = all.filter((t) => t.metricType === metric);
      if (list.length === 0) continue;
      const global = list.find((t) => t.cacheStrategyId === null && t.tableName === null);
      const { scope } = THRESHOLD_METRICS[metric];
      const add = (
        threshold: PerformanceThresholdEntity | undefined,
        strategy: CacheStrategyEntity | null,
        tableName: string | null,
      ): void => {
        if (threshold?.alertEnabled) checks.push({ metric, threshold, strategy, tableName });
      };
      if (scope === 'datasource') {
        for (const s of strategies)
          add(list.find((t) => t.cacheStrategyId === s.id && t.tableName === null) ?? global, s, null);
      } else if (scope === 'table') {
        // Table statistics only of tables the service may read (SOURCE_SCHEMAS).
        for (const s of strategies) {
          const source = this.policy.allowedName(s.sourceTable);
          if (source)
            add(
              list.find((t) => t.tableName !== null && parseSourceName(t.tableName)?.qualified === source.qualified) ??
                global,
              s,
              s.sourceTable,
            );
        }
      } else {
        add(global, null, null);
      }
    }
    return checks;
  }

  /** The enabled threshold that applies now to the alerts of (strategy, alert type), if any. */
  async applicableCheck(strategyId: string | null, alertType: string): Promise<Check | null> {
    return (
      (await this.checks()).find(
        (c) =>
          alertKey(c.strategy?.id ?? null, THRESHOLD_METRICS[c.metric].alertType) === alertKey(strategyId, alertType),
      ) ?? null
    );
  }

  async measure(checks: Check[], now: Date): Promise<Measured[]> {
    const needed = new Set(checks.map((c) => c.metric));
    const guarded = async <T>(what: string, read: () => Promise<T>): Promise<T | null> => {
      try {
        return await read();
      } catch (error) {
        this.logger.warn({
          msg: 'could not read a metric: skipped this round',
          metric: what,
          error: (error as Error).message,
        });
        return null;
      }
    };

    const windowStart = now.getTime() - this.config.monitoring.alertWindowMinutes * 60_000;
    const hours: string[] = [];
    for (let t = Math.floor(windowStart / HOUR_MS) * HOUR_MS; t <= now.getTime(); t += HOUR_MS)
      hours.push(hourOf(new Date(t)));
    const usage = new Map<number, { requests: number; hits: number; latencyMicros: number } | null>();
    const usageOf = async (datasourceId: number) => {
      if (!usage.has(datasourceId)) {
        const rows = await guarded('usage', () => this.usageCounters.hourlyUsage(datasourceId, hours));
        usage.set(
          datasourceId,
          rows
            ? rows.reduce(
                (sum, r) => ({
                  requests: sum.requests + r.requests,
                  hits: sum.hits + r.hits,
                  latencyMicros: sum.latencyMicros + r.latencyMicros,
                }),
                { requests: 0, hits: 0, latencyMicros: 0 },
              )
            : null,
        );
      }
      return usage.get(datasourceId)!;
    };
    const memory = needed.has('CACHE_MEMORY_SHARE')
      ? await guarded('memory', () => this.metrics.redisInfo('memory', ['used_memory', 'maxmemory']))
      : null;
    const failures = needed.has('WARMING_FAILURES')
      ? await guarded('warming failures', () => this.metrics.warmingFailures(new Date(now.getTime() - 24 * HOUR_MS)))
      : null;
    const tables =
      needed.has('INDEX_SCAN_RATIO') || needed.has('TABLE_SIZE')
        ? await guarded('tables', () =>
            this.metrics.tableFigures([...new Set(checks.filter((c) => c.tableName).map((c) => c.tableName!))]),
          )
        : null;
    const evictionRate = needed.has('EVICTION_RATE')
      ? await guarded('evictions', () =>
          this.perMinuteSince(
            'evicted_keys',
            now,
            async () => (await this.metrics.redisInfo('stats', ['evicted_keys'])).evicted_keys,
          ),
        )
      : null;
    const deadlocks = needed.has('DEADLOCK_COUNT')
      ? await guarded('deadlocks', () => this.deltaSince('deadlocks', now, () => this.metrics.deadlocks()))
      : null;
    const connections = needed.has('CONNECTION_COUNT')
      ? await guarded('connections', () => this.metrics.connectionCount())
      : null;

    const slots = needed.has('CDC_SLOT_LAG')
      ? await guarded('replication slots', () => this.slotFigures.slots())
      : null;

    const measured: Measured[] = [];
    for (const check of checks) {
      const s = check.strategy;
      let value: number | null = null;
      let noTraffic = false;
      switch (check.metric) {
        case 'CACHE_HIT_RATIO': {
          // The one hit-rate definition (hit-rate.ts): the figure the cache pages show for the same window.
          const u = await guarded('hit rate', () => this.usageCounters.windowUsage(s!.datasourceId, now));
          value = u ? hitRateOf(u).percent : null;
          noTraffic = u !== null && u.requests === 0;
          break;
        }
        case 'QUERY_TIME': {
          const u = await usageOf(s!.datasourceId);
          value = u && u.requests > 0 ? u.latencyMicros / u.requests / 1000 : null;
          noTraffic = u !== null && u.requests === 0;
          break;
        }
        case 'CACHE_MEMORY_SHARE': {
          const meta = await guarded('meta', () => this.cache.meta(s!.datasourceId));
          const total = memory ? memory.maxmemory || memory.used_memory : 0;
          value = meta && total > 0 ? (meta.generation === null ? 0 : (meta.bytes / total) * 100) : null;
          break;
        }
        case 'CACHE_AGE': {
          const meta = await guarded('meta', () => this.cache.meta(s!.datasourceId));
          // A cold datasource has no age: coldness is the cache health's concern.
          value =
            meta && meta.generation !== null && meta.lastWarmed
              ? (Math.max(0, now.getTime() - Date.parse(meta.lastWarmed)) / 1000 / s!.stalenessTtlSeconds) * 100
              : null;
          break;
        }
        case 'WARMING_FAILURES':
          value = failures ? (failures.get(s!.id) ?? 0) : null;
          break;
        case 'INDEX_SCAN_RATIO':
          value = tables?.get(check.tableName!)?.indexScanRatio ?? null;
          break;
        case 'TABLE_SIZE':
          value = tables?.get(check.tableName!)?.totalBytes ?? null;
          break;
        case 'EVICTION_RATE':
          value = evictionRate;
          break;
        case 'DEADLOCK_COUNT':
          value = deadlocks;
          break;
        case 'CONNECTION_COUNT':
          value = connections;
          break;
        case 'CDC_SLOT_LAG':
          value = s && inCdcMode(s) ? await this.slotLag(s.datasourceId, slots, check, windowStart) : null;
          break;
      }
      measured.push({
        ...check,
        value: value === null || !Number.isFinite(value) ? null : value,
        ...(noTraffic ? { noTraffic } : {}),
      });
    }
    return measured;
  }

  /**
   * A CDC datasource's slot lag; a slot found dropped (or given up for a full warm) within the alert window counts as
   * critical (or as the lag it had then), so the alert is raised even though change capture repaired it at once.
   */
  private async slotLag(
    datasourceId: number,
    slots: Array<{ datasourceId: number; lagBytes: number }> | null,
    check: Check,
    windowStart: number,
  ): Promise<number | null> {
    const lag = slots?.find((slot) => slot.datasourceId === datasourceId)?.lagBytes ?? null;
    const incident = await this.changeCapture.lastIncident(datasourceId).catch(() => null);
    if (!incident || Date.parse(incident.at) < windowStart) return lag;
    const incidentValue = incident.kind === 'slot_dropped' ? check.threshold.criticalThreshold : incident.lagBytes;
    return Math.max(lag ?? 0, incidentValue);
  }

  /** Growth of a cumulative counter since the previous evaluation; null the first time or after a reset. */
  private async deltaSince(name: string, now: Date, read: () => Promise<number>): Promise<number | null> {
    const current = await read();
    const previous = await this.metrics.swapCounter(name, current, now);
    return previous && current >= previous.value ? current - previous.value : null;
  }

  private async perMinuteSince(name: string, now: Date, read: () => Promise<number>): Promise<number | null> {
    const current = await read();
    const previous = await this.metrics.swapCounter(name, current, now);
    const minutes = previous ? (now.getTime() - previous.at.getTime()) / 60_000 : 0;
    return previous && current >= previous.value && minutes > 0 ? (current - previous.value) / minutes : null;
  }
}
