import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { AlertEvaluationResult, AlertEvent, AlertWebhookPayload, ThresholdMetricType } from '@ccc/shared-types';
import { THRESHOLD_METRIC_TYPES, THRESHOLD_METRICS } from '@ccc/shared-types';
import { In, IsNull, Not, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { CacheRepository } from '../analytics-cache/cache.repository.js';
import { HIT_RATE_WINDOW_MINUTES, hitRateOf } from '../analytics-cache/hit-rate.js';
import { hourOf, QueryCounters } from '../analytics-cache/query-counters.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ANALYTICS_CACHE_LAYER_ID, CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { parseSourceName } from '../datasources/source-name.js';
import { SourcePolicy } from '../datasources/source-policy.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { addEvents, bookkeepingOf, withBookkeeping } from './alert-history.js';
import { AlertMetricsRepository } from './alert-metrics.repository.js';
import { AlertNotifier } from './alert-notifier.js';
import { alertMessage, decide, higherSeverity, knownSeverity, levelOf, recoveryMessage, severityOf, type Levels } from './alert-rules.js';
import { CacheAlertEntity } from './cache-alert.entity.js';
import { PerformanceThresholdEntity } from './performance-threshold.entity.js';

/** One threshold applied to one target (a datasource, a datasource's table, the database or Redis). */
export interface Check {
  metric: ThresholdMetricType;
  threshold: PerformanceThresholdEntity;
  strategy: CacheStrategyEntity | null;
  tableName: string | null;
}

interface Measured extends Check {
  /** Null = no data: neither fires nor resolves (except after a long silence, see `noTraffic`). */
  value: number | null;
  /** The datasource's query API had no requests in the window (rates have no value then). */
  noTraffic?: boolean;
}

/** Rates of query-API traffic: without requests they have no value, and an alert on them resolves after a long silence. */
const TRAFFIC_METRICS = new Set<ThresholdMetricType>(['CACHE_HIT_RATIO', 'QUERY_TIME']);

type Counts = Omit<AlertEvaluationResult, 'evaluatedAt' | 'ran'>;

const alertKey = (strategyId: string | null, alertType: string): string => `${strategyId ?? '-'}|${alertType}`;
const HOUR_MS = 3_600_000;

/**
 * Compares live metrics with the thresholds and keeps one open alert per (layer, strategy, type):
 * fires, escalates, de-escalates, resolves, and queues notifications (DESIGN.md §4.6: runs under the
 * 'alert-evaluation' lease, on a schedule and on request).
 */
@Injectable()
export class AlertEvaluator implements OnModuleInit {
  private readonly logger = new Logger(AlertEvaluator.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(PerformanceThresholdEntity) private readonly thresholds: Repository<PerformanceThresholdEntity>,
    private readonly datasources: DatasourcesService,
    @InjectRepository(CacheAlertEntity) private readonly alerts: Repository<CacheAlertEntity>,
    private readonly cache: CacheRepository,
    private readonly counters: QueryCounters,
    private readonly metrics: AlertMetricsRepository,
    private readonly notifier: AlertNotifier,
    private readonly periodic: PeriodicTasks,
    private readonly policy: SourcePolicy,
  ) {}

  onModuleInit(): void {
    this.periodic.register('alert-evaluation', this.config.monitoring.alertEvaluationIntervalSeconds * 1000, () => this.evaluate());
  }

  /** "Evaluate now": runs unless another process holds the evaluation lease. */
  async evaluateExclusive(): Promise<AlertEvaluationResult> {
    const outcome = await this.periodic.runExclusive('alert-evaluation', () => this.evaluate());
    if (outcome.ran) return outcome.result;
    return { evaluatedAt: new Date().toISOString(), thresholdsEvaluated: 0, fired: 0, escalated: 0, deescalated: 0, resolved: 0, notificationsQueued: 0, ran: false };
  }

  /** One evaluation round (callers hold the lease). */
  async evaluate(now = new Date()): Promise<AlertEvaluationResult> {
    // This process's unflushed query counters belong in the window too.
    await this.counters.flush().catch(() => undefined);
    const counts: Counts = { thresholdsEvaluated: 0, fired: 0, escalated: 0, deescalated: 0, resolved: 0, notificationsQueued: 0 };
    const checks = await this.checks();
    const measured = await this.measure(checks, now);
    const open = await this.alerts.find({ select: { cacheStrategyId: true, alertType: true }, where: { cacheLayerId: ANALYTICS_CACHE_LAYER_ID, alertStatus: In(['ACTIVE', 'ACKNOWLEDGED']) } });
    const openKeys = new Set(open.map((a) => alertKey(a.cacheStrategyId, a.alertType)));
    for (const check of measured) {
      if (check.value === null) {
        if (check.noTraffic && openKeys.has(alertKey(check.strategy?.id ?? null, THRESHOLD_METRICS[check.metric].alertType))) {
          await this.resolveSilent(check, now, counts).catch((error: Error) =>
            this.logger.warn({ msg: 'could not resolve an alert without traffic', metric: check.metric, datasource: check.strategy?.datasourceId, error: error.message }),
          );
        }
        continue;
      }
      counts.thresholdsEvaluated += 1;
      const { alertType, direction } = THRESHOLD_METRICS[check.metric];
      // Nothing open and nothing breached: no transaction needed (only this lease holder creates alerts).
      const within = severityOf(check.value, { warning: check.threshold.warningThreshold, critical: check.threshold.criticalThreshold, direction }) === null;
      if (within && !openKeys.has(alertKey(check.strategy?.id ?? null, alertType))) continue;
      try {
        await this.apply(check, check.value, now, counts);
      } catch (error) {
        this.logger.warn({ msg: 'alert evaluation failed for one check', metric: check.metric, datasource: check.strategy?.datasourceId, error: (error as Error).message });
      }
    }
    await this.resolveUncovered(new Set(checks.map((c) => alertKey(c.strategy?.id ?? null, THRESHOLD_METRICS[c.metric].alertType))), now, counts);
    return { evaluatedAt: now.toISOString(), ...counts, ran: true };
  }

  /**
   * Which threshold applies to what: per datasource, its own threshold overrides the global one (also when
   * the own one is disabled: that silences the metric for the datasource); per table, a threshold naming the
   * table overrides the global one. Disabled datasources are not evaluated. QUERY_TIME thresholds naming a
   * table are slow-query thresholds for the query log, not evaluated here.
   */
  private async checks(): Promise<Check[]> {
    const all = await this.thresholds.find({ where: { isActive: true }, order: { createdAt: 'ASC' } });
    const strategies = await this.datasources.entities({ enabledOnly: true });
    const checks: Check[] = [];
    for (const metric of THRESHOLD_METRIC_TYPES) {
      const list = all.filter((t) => t.metricType === metric);
      if (list.length === 0) continue;
      const global = list.find((t) => t.cacheStrategyId === null && t.tableName === null);
      const { scope } = THRESHOLD_METRICS[metric];
      const add = (threshold: PerformanceThresholdEntity | undefined, strategy: CacheStrategyEntity | null, tableName: string | null): void => {
        if (threshold?.alertEnabled) checks.push({ metric, threshold, strategy, tableName });
      };
      if (scope === 'datasource') {
        for (const s of strategies) add(list.find((t) => t.cacheStrategyId === s.id && t.tableName === null) ?? global, s, null);
      } else if (scope === 'table') {
        // Table statistics only of tables the service may read (SOURCE_SCHEMAS).
        for (const s of strategies) {
          const source = this.policy.allowedName(s.sourceTable);
          if (source) add(list.find((t) => t.tableName !== null && parseSourceName(t.tableName)?.qualified === source.qualified) ?? global, s, s.sourceTable);
        }
      } else {
        add(global, null, null);
      }
    }
    return checks;
  }

  /** The enabled threshold that applies now to the alerts of (strategy, alert type), if any. */
  async applicableCheck(strategyId: string | null, alertType: string): Promise<Check | null> {
    return (await this.checks()).find((c) => alertKey(c.strategy?.id ?? null, THRESHOLD_METRICS[c.metric].alertType) === alertKey(strategyId, alertType)) ?? null;
  }

  private async measure(checks: Check[], now: Date): Promise<Measured[]> {
    const needed = new Set(checks.map((c) => c.metric));
    const guarded = async <T>(what: string, read: () => Promise<T>): Promise<T | null> => {
      try {
        return await read();
      } catch (error) {
        this.logger.warn({ msg: 'could not read a metric: skipped this round', metric: what, error: (error as Error).message });
        return null;
      }
    };

    const windowStart = now.getTime() - this.config.monitoring.alertWindowMinutes * 60_000;
    const hours: string[] = [];
    for (let t = Math.floor(windowStart / HOUR_MS) * HOUR_MS; t <= now.getTime(); t += HOUR_MS) hours.push(hourOf(new Date(t)));
    const usage = new Map<number, { requests: number; hits: number; latencyMicros: number } | null>();
    const usageOf = async (datasourceId: number) => {
      if (!usage.has(datasourceId)) {
        const rows = await guarded('usage', () => this.cache.hourlyUsage(datasourceId, hours));
        usage.set(datasourceId, rows ? rows.reduce((sum, r) => ({ requests: sum.requests + r.requests, hits: sum.hits + r.hits, latencyMicros: sum.latencyMicros + r.latencyMicros }), { requests: 0, hits: 0, latencyMicros: 0 }) : null);
      }
      return usage.get(datasourceId)!;
    };
    const memory = needed.has('CACHE_MEMORY_SHARE') ? await guarded('memory', () => this.metrics.redisInfo('memory', ['used_memory', 'maxmemory'])) : null;
    const failures = needed.has('WARMING_FAILURES') ? await guarded('warming failures', () => this.metrics.warmingFailures(new Date(now.getTime() - 24 * HOUR_MS))) : null;
    const tables = needed.has('INDEX_SCAN_RATIO') || needed.has('TABLE_SIZE')
      ? await guarded('tables', () => this.metrics.tableFigures([...new Set(checks.filter((c) => c.tableName).map((c) => c.tableName!))]))
      : null;
    const evictionRate = needed.has('EVICTION_RATE') ? await guarded('evictions', () => this.perMinuteSince('evicted_keys', now, async () => (await this.metrics.redisInfo('stats', ['evicted_keys'])).evicted_keys)) : null;
    const deadlocks = needed.has('DEADLOCK_COUNT') ? await guarded('deadlocks', () => this.deltaSince('deadlocks', now, () => this.metrics.deadlocks())) : null;
    const connections = needed.has('CONNECTION_COUNT') ? await guarded('connections', () => this.metrics.connectionCount()) : null;

    const measured: Measured[] = [];
    for (const check of checks) {
      const s = check.strategy;
      let value: number | null = null;
      let noTraffic = false;
      switch (check.metric) {
        case 'CACHE_HIT_RATIO': {
          // The one hit-rate definition (hit-rate.ts): the figure the cache pages show for the same window.
          const u = await guarded('hit rate', () => this.cache.windowUsage(s!.datasourceId, now));
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
          value = meta && meta.generation !== null && meta.lastWarmed ? (Math.max(0, now.getTime() - Date.parse(meta.lastWarmed)) / 1000 / s!.stalenessTtlSeconds) * 100 : null;
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
      }
      measured.push({ ...check, value: value === null || !Number.isFinite(value) ? null : value, ...(noTraffic ? { noTraffic } : {}) });
    }
    return measured;
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

  /** One check against its open alert, in a transaction holding the alert's row lock. */
  private async apply(check: Measured, value: number, now: Date, counts: Counts): Promise<void> {
    const { alertType, direction, unit } = THRESHOLD_METRICS[check.metric];
    const levels: Levels = { warning: check.threshold.warningThreshold, critical: check.threshold.criticalThreshold, direction };
    const breach = severityOf(value, levels);
    const subject = { datasourceName: check.strategy?.name ?? null, tableName: check.tableName };
    const context = {
      metric: check.metric,
      thresholdId: check.threshold.id,
      direction,
      unit,
      warningThreshold: levels.warning,
      criticalThreshold: levels.critical,
      ...(check.tableName ? { tableName: check.tableName } : {}),
      ...(TRAFFIC_METRICS.has(check.metric) ? { windowMinutes: this.windowMinutes(check.metric) } : {}),
    };
    const strategyId = check.strategy?.id ?? null;
    const repeatMs = this.notifier.enabled ? this.config.monitoring.alertRepeatIntervalSeconds * 1000 : null;
    const event = (name: AlertEvent['event'], severity: CacheAlertEntity['severity'], comment: string | null = null): AlertEvent => ({ at: now.toISOString(), event: name, severity, actualValue: value, by: null, comment });

    const run = (manager: EntityManager): Promise<{ alert: CacheAlertEntity; notify: AlertWebhookPayload['event'] | null; detail?: string } | null> =>
      (async () => {
        const open = await manager.findOne(CacheAlertEntity, {
          where: { cacheLayerId: ANALYTICS_CACHE_LAYER_ID, cacheStrategyId: strategyId ?? IsNull(), alertType, alertStatus: Not('RESOLVED') },
          lock: { mode: 'pessimistic_write' },
        });
        const state = open && open.alertStatus !== 'RESOLVED'
          ? {
              status: open.alertStatus,
              severity: open.severity,
              triggeredAt: open.triggeredAt,
              lastNotifiedAt: open.lastNotifiedAt,
              notifiedSeverity: open.notifiedSeverity,
              acknowledgedSeverity: open.alertStatus === 'ACKNOWLEDGED' ? (bookkeepingOf(open.alertContext).acknowledgedSeverity ?? open.severity) : null,
            }
          : null;
        const transition = decide(state, breach, now, repeatMs);
        if (transition.kind === 'none') return null;
        if (transition.kind === 'fire') {
          const alert = manager.create(CacheAlertEntity, {
            cacheLayerId: ANALYTICS_CACHE_LAYER_ID,
            cacheStrategyId: strategyId,
            alertType,
            severity: transition.severity,
            alertMessage: alertMessage(check.metric, subject, value, transition.severity, levels),
            thresholdValue: levelOf(transition.severity, levels),
            actualValue: value,
            alertContext: context,
            alertStatus: 'ACTIVE',
            createdBy: SYSTEM_USER_ID,
            triggeredAt: now,
            lastEvaluatedAt: now,
            lastNotifiedAt: this.notifier.enabled ? now : null,
            notifiedSeverity: this.notifier.enabled ? transition.severity : null,
            history: [event('FIRED', transition.severity)],
            updatedAt: now,
          });
          const saved = await manager.save(alert);
          counts.fired += 1;
          return { alert: saved, notify: 'FIRED' };
        }
        const alert = open!;
        alert.actualValue = value;
        alert.lastEvaluatedAt = now;
        alert.alertContext = withBookkeeping(context, alert.alertContext);
        let notify: AlertWebhookPayload['event'] | null = null;
        let detail: string | undefined;
        if (transition.kind === 'resolve') {
          detail = recoveryMessage(check.metric, subject, value, levels);
          alert.alertStatus = 'RESOLVED';
          alert.resolvedAt = now;
          alert.resolvedBy = null;
          addEvents(alert, event('RESOLVED', alert.severity, detail));
          counts.resolved += 1;
          notify = 'RESOLVED';
        } else {
          alert.severity = transition.severity;
          alert.thresholdValue = levelOf(transition.severity, levels);
          alert.alertMessage = alertMessage(check.metric, subject, value, transition.severity, levels);
          if (transition.kind === 'escalate' && transition.notify) {
            // Worse than anything notified or acknowledged: the acknowledgement was for a lower severity.
            alert.alertStatus = 'ACTIVE';
            alert.acknowledgedBy = null;
            alert.acknowledgedAt = null;
            alert.acknowledgementComment = null;
            const { acknowledgedSeverity: _cleared, ...rest } = alert.alertContext ?? {};
            alert.alertContext = rest;
            addEvents(alert, event('ESCALATED', transition.severity));
            counts.escalated += 1;
            notify = 'ESCALATED';
          } else if (transition.kind === 'escalate') {
            // Back up after a dip (a flap): people already know this severity; no page, the acknowledgement stays.
            const known = knownSeverity(state!);
            addEvents(alert, event('ESCALATED', transition.severity, `Back to ${transition.severity}, already ${state!.status === 'ACKNOWLEDGED' && state!.acknowledgedSeverity === known ? 'acknowledged' : 'notified'} at ${known}: not notified again`));
            counts.escalated += 1;
          } else if (transition.kind === 'deescalate') {
            addEvents(alert, event('DEESCALATED', transition.severity));
            counts.deescalated += 1;
          } else if (transition.repeat) {
            notify = 'REPEAT';
          }
        }
        if (notify && this.notifier.enabled) {
          alert.lastNotifiedAt = now;
          // The highest severity notified: a later return to it after a dip is not news.
          alert.notifiedSeverity = notify === 'RESOLVED' ? alert.notifiedSeverity : higherSeverity(alert.notifiedSeverity, alert.severity);
        }
        alert.updatedAt = now;
        return { alert: await manager.save(alert), notify, detail };
      })();

    let outcome;
    try {
      outcome = await this.db.transaction(run);
    } catch (error) {
      // Another process inserted the open alert meanwhile (uq_cache_alert_open): it is the existing alert.
      if ((error as { driverError?: { code?: string } }).driverError?.code !== '23505') throw error;
      outcome = await this.db.transaction(run);
    }
    if (outcome?.notify && (await this.notifier.enqueue(outcome.alert, outcome.notify, check.strategy ? { id: check.strategy.datasourceId, name: check.strategy.name } : null, outcome.detail))) {
      counts.notificationsQueued += 1;
    }
  }

  /** Open alerts no enabled threshold covers any more (threshold deleted or disabled, datasource disabled). */
  private async resolveUncovered(covered: Set<string>, now: Date, counts: Counts): Promise<void> {
    const open = await this.alerts.find({ where: { cacheLayerId: ANALYTICS_CACHE_LAYER_ID, alertStatus: In(['ACTIVE', 'ACKNOWLEDGED']) } });
    for (const candidate of open.filter((a) => !covered.has(alertKey(a.cacheStrategyId, a.alertType)))) {
      await this.resolveWithoutValue(candidate.id, 'No enabled threshold applies any more (threshold deleted or disabled, or datasource disabled)', now, counts, () => true);
    }
  }

  /**
   * A hit-rate or query-time alert whose datasource has had no query-API traffic for twice the window:
   * nothing left to measure, so it resolves rather than staying open forever.
   */
  private async resolveSilent(check: Measured, now: Date, counts: Counts): Promise<void> {
    if (!TRAFFIC_METRICS.has(check.metric) || !check.strategy) return;
    const silenceMs = 2 * this.windowMinutes(check.metric) * 60_000;
    const open = await this.alerts.findOne({
      select: { id: true },
      where: { cacheLayerId: ANALYTICS_CACHE_LAYER_ID, cacheStrategyId: check.strategy.id, alertType: THRESHOLD_METRICS[check.metric].alertType, alertStatus: In(['ACTIVE', 'ACKNOWLEDGED']) },
    });
    if (!open) return;
    const detail = `Resolved: no traffic in the window (no query-API requests to ${check.strategy.name} for ${2 * this.windowMinutes(check.metric)} minutes)`;
    // Measured last (lastEvaluatedAt only moves while there is traffic) longer ago than the silence.
    await this.resolveWithoutValue(open.id, detail, now, counts, (alert) => now.getTime() - (alert.lastEvaluatedAt ?? alert.triggeredAt).getTime() >= silenceMs);
  }

  /** The window a traffic metric is measured over: the hit rate has its own, fixed one (hit-rate.ts). */
  private windowMinutes(metric: ThresholdMetricType): number {
    return metric === 'CACHE_HIT_RATIO' ? HIT_RATE_WINDOW_MINUTES : this.config.monitoring.alertWindowMinutes;
  }

  /** Resolves an open alert with nothing measured (under its row lock, when `still` holds), and notifies. */
  private async resolveWithoutValue(id: string, detail: string, now: Date, counts: Counts, still: (alert: CacheAlertEntity) => boolean): Promise<void> {
    const resolved = await this.db.transaction(async (manager) => {
      const alert = await manager.findOne(CacheAlertEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!alert || alert.alertStatus === 'RESOLVED' || !still(alert)) return null;
      alert.alertStatus = 'RESOLVED';
      alert.resolvedAt = now;
      alert.resolvedBy = null;
      alert.lastEvaluatedAt = now;
      addEvents(alert, { at: now.toISOString(), event: 'RESOLVED', severity: alert.severity, actualValue: null, by: null, comment: detail });
      if (this.notifier.enabled) alert.lastNotifiedAt = now;
      alert.updatedAt = now;
      return manager.save(alert);
    });
    if (!resolved) return;
    counts.resolved += 1;
    const strategy = resolved.cacheStrategyId ? await this.datasources.entityByStrategyId(resolved.cacheStrategyId) : null;
    if (await this.notifier.enqueue(resolved, 'RESOLVED', strategy ? { id: strategy.datasourceId, name: strategy.name } : null, `${detail} — ${resolved.alertMessage}`)) counts.notificationsQueued += 1;
  }
}
