import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { AlertEvaluationResult, AlertEvent, AlertWebhookPayload, ThresholdMetricType } from '@ccc/shared-types';
import { THRESHOLD_METRICS } from '@ccc/shared-types';
import { In, IsNull, Not, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { HIT_RATE_WINDOW_MINUTES } from '../analytics-cache/hit-rate.js';
import { QueryCounters } from '../analytics-cache/query-counters.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ANALYTICS_CACHE_LAYER_ID } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { Clock } from '../platform/clock.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { addEvents, bookkeepingOf, withBookkeeping } from './alert-history.js';
import { alertKey, AlertMeasurements, TRAFFIC_METRICS, type Measured } from './alert-measurements.js';
import { AlertNotifier } from './alert-notifier.js';
import {
  alertMessage,
  decide,
  higherSeverity,
  knownSeverity,
  levelOf,
  recoveryMessage,
  severityOf,
  type Levels,
} from './alert-rules.js';
import { CacheAlertEntity } from './cache-alert.entity.js';

type Counts = Omit<AlertEvaluationResult, 'evaluatedAt' | 'ran'>;

/**
 * The alert state machine: compares the measured values (AlertMeasurements) with the thresholds and keeps one
 * open alert per (layer, strategy, type): fires, escalates, de-escalates, resolves, and queues notifications
 * (DESIGN.md §4.6: runs under the 'alert-evaluation' lease, on a schedule and on request).
 */
@Injectable()
export class AlertEvaluator implements OnModuleInit {
  private readonly logger = new Logger(AlertEvaluator.name);
  private readonly roundListeners: Array<(now: Date) => Promise<unknown>> = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(CacheAlertEntity) private readonly alerts: Repository<CacheAlertEntity>,
    private readonly measurements: AlertMeasurements,
    private readonly counters: QueryCounters,
    private readonly datasources: DatasourcesService,
    private readonly notifier: AlertNotifier,
    private readonly periodic: PeriodicTasks,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.periodic.register('alert-evaluation', this.config.monitoring.alertEvaluationIntervalSeconds * 1000, () =>
      this.evaluate(),
    );
  }

  /**
   * Calls `listener` after every evaluation round, still under the evaluation lease (remediation acts on the open
   * alerts there: it follows the alerts, they never import it). A listener's failure is logged, not the round's.
   */
  afterRound(listener: (now: Date) => Promise<unknown>): void {
    this.roundListeners.push(listener);
  }

  /** "Evaluate now": runs unless another process holds the evaluation lease. */
  async evaluateExclusive(): Promise<AlertEvaluationResult> {
    const outcome = await this.periodic.runExclusive('alert-evaluation', () => this.evaluate());
    if (outcome.ran) return outcome.result;
    return {
      evaluatedAt: this.clock.now().toISOString(),
      thresholdsEvaluated: 0,
      fired: 0,
      escalated: 0,
      deescalated: 0,
      resolved: 0,
      notificationsQueued: 0,
      ran: false,
    };
  }

  /** One evaluation round (callers hold the lease). */
  async evaluate(now = this.clock.now()): Promise<AlertEvaluationResult> {
    // This process's unflushed query counters belong in the window too.
    await this.counters.flush().catch(() => undefined);
    const counts: Counts = {
      thresholdsEvaluated: 0,
      fired: 0,
      escalated: 0,
      deescalated: 0,
      resolved: 0,
      notificationsQueued: 0,
    };
    const checks = await this.measurements.checks();
    const measured = await this.measurements.measure(checks, now);
    const open = await this.alerts.find({
      select: { cacheStrategyId: true, alertType: true },
      where: { cacheLayerId: ANALYTICS_CACHE_LAYER_ID, alertStatus: In(['ACTIVE', 'ACKNOWLEDGED']) },
    });
    const openKeys = new Set(open.map((a) => alertKey(a.cacheStrategyId, a.alertType)));
    for (const check of measured) {
      if (check.value === null) {
        if (
          check.noTraffic &&
          openKeys.has(alertKey(check.strategy?.id ?? null, THRESHOLD_METRICS[check.metric].alertType))
        ) {
          await this.resolveSilent(check, now, counts).catch((error: Error) =>
            this.logger.warn({
              msg: 'could not resolve an alert without traffic',
              metric: check.metric,
              datasource: check.strategy?.datasourceId,
              error: error.message,
            }),
          );
        }
        continue;
      }
      counts.thresholdsEvaluated += 1;
      const { alertType, direction } = THRESHOLD_METRICS[check.metric];
      // Nothing open and nothing breached: no transaction needed (only this lease holder creates alerts).
      const within =
        severityOf(check.value, {
          warning: check.threshold.warningThreshold,
          critical: check.threshold.criticalThreshold,
          direction,
        }) === null;
      if (within && !openKeys.has(alertKey(check.strategy?.id ?? null, alertType))) continue;
      try {
        await this.apply(check, check.value, now, counts);
      } catch (error) {
        this.logger.warn({
          msg: 'alert evaluation failed for one check',
          metric: check.metric,
          datasource: check.strategy?.datasourceId,
          error: (error as Error).message,
        });
      }
    }
    await this.resolveUncovered(
      new Set(checks.map((c) => alertKey(c.strategy?.id ?? null, THRESHOLD_METRICS[c.metric].alertType))),
      now,
      counts,
    );
    for (const listener of this.roundListeners)
      await listener(now).catch((error: Error) =>
        this.logger.warn({ msg: 'an evaluation round listener failed', error: error.message }),
      );
    return { evaluatedAt: now.toISOString(), ...counts, ran: true };
  }

  /** One check against its open alert, in a transaction holding the alert's row lock. */
  private async apply(check: Measured, value: number, now: Date, counts: Counts): Promise<void> {
    const { alertType, direction, unit } = THRESHOLD_METRICS[check.metric];
    const levels: Levels = {
      warning: check.threshold.warningThreshold,
      critical: check.threshold.criticalThreshold,
      direction,
    };
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
    const event = (
      name: AlertEvent['event'],
      severity: CacheAlertEntity['severity'],
      comment: string | null = null,
    ): AlertEvent => ({ at: now.toISOString(), event: name, severity, actualValue: value, by: null, comment });

    const run = (
      manager: EntityManager,
    ): Promise<{ alert: CacheAlertEntity; notify: AlertWebhookPayload['event'] | null; detail?: string } | null> =>
      (async () => {
        const open = await manager.findOne(CacheAlertEntity, {
          where: {
            cacheLayerId: ANALYTICS_CACHE_LAYER_ID,
            cacheStrategyId: strategyId ?? IsNull(),
            alertType,
            alertStatus: Not('RESOLVED'),
          },
          lock: { mode: 'pessimistic_write' },
        });
        const state =
          open && open.alertStatus !== 'RESOLVED'
            ? {
                status: open.alertStatus,
                severity: open.severity,
                triggeredAt: open.triggeredAt,
                lastNotifiedAt: open.lastNotifiedAt,
                notifiedSeverity: open.notifiedSeverity,
                acknowledgedSeverity:
                  open.alertStatus === 'ACKNOWLEDGED'
                    ? (bookkeepingOf(open.alertContext).acknowledgedSeverity ?? open.severity)
                    : null,
              }
            : null;
        // An alert escalated by remediation (its rule gave up) stays at that severity until it resolves.
        const floor = open ? (bookkeepingOf(open.alertContext).escalatedTo ?? null) : null;
        const transition = decide(state, breach && floor ? higherSeverity(breach, floor) : breach, now, repeatMs);
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
          // The level the value crossed (below an escalation's severity when remediation escalated the alert).
          alert.thresholdValue = levelOf(breach ?? transition.severity, levels);
          alert.alertMessage = alertMessage(check.metric, subject, value, breach ?? transition.severity, levels);
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
            addEvents(
              alert,
              event(
                'ESCALATED',
                transition.severity,
                `Back to ${transition.severity}, already ${state!.status === 'ACKNOWLEDGED' && state!.acknowledgedSeverity === known ? 'acknowledged' : 'notified'} at ${known}: not notified again`,
              ),
            );
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
          alert.notifiedSeverity =
            notify === 'RESOLVED' ? alert.notifiedSeverity : higherSeverity(alert.notifiedSeverity, alert.severity);
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
    if (
      outcome?.notify &&
      (await this.notifier.enqueue(
        outcome.alert,
        outcome.notify,
        check.strategy ? { id: check.strategy.datasourceId, name: check.strategy.name } : null,
        outcome.detail,
      ))
    ) {
      counts.notificationsQueued += 1;
    }
  }

  /** Open alerts no enabled threshold covers any more (threshold deleted or disabled, datasource disabled). */
  private async resolveUncovered(covered: Set<string>, now: Date, counts: Counts): Promise<void> {
    const open = await this.alerts.find({
      where: { cacheLayerId: ANALYTICS_CACHE_LAYER_ID, alertStatus: In(['ACTIVE', 'ACKNOWLEDGED']) },
    });
    for (const candidate of open.filter((a) => !covered.has(alertKey(a.cacheStrategyId, a.alertType)))) {
      await this.resolveWithoutValue(
        candidate.id,
        'No enabled threshold applies any more (threshold deleted or disabled, or datasource disabled)',
        now,
        counts,
        () => true,
      );
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
      where: {
        cacheLayerId: ANALYTICS_CACHE_LAYER_ID,
        cacheStrategyId: check.strategy.id,
        alertType: THRESHOLD_METRICS[check.metric].alertType,
        alertStatus: In(['ACTIVE', 'ACKNOWLEDGED']),
      },
    });
    if (!open) return;
    const detail = `Resolved: no traffic in the window (no query-API requests to ${check.strategy.name} for ${2 * this.windowMinutes(check.metric)} minutes)`;
    // Measured last (lastEvaluatedAt only moves while there is traffic) longer ago than the silence.
    await this.resolveWithoutValue(
      open.id,
      detail,
      now,
      counts,
      (alert) => now.getTime() - (alert.lastEvaluatedAt ?? alert.triggeredAt).getTime() >= silenceMs,
    );
  }

  /** The window a traffic metric is measured over: the hit rate has its own, fixed one (hit-rate.ts). */
  private windowMinutes(metric: ThresholdMetricType): number {
    return metric === 'CACHE_HIT_RATIO' ? HIT_RATE_WINDOW_MINUTES : this.config.monitoring.alertWindowMinutes;
  }

  /** Resolves an open alert with nothing measured (under its row lock, when `still` holds), and notifies. */
  private async resolveWithoutValue(
    id: string,
    detail: string,
    now: Date,
    counts: Counts,
    still: (alert: CacheAlertEntity) => boolean,
  ): Promise<void> {
    const resolved = await this.db.transaction(async (manager) => {
      const alert = await manager.findOne(CacheAlertEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!alert || alert.alertStatus === 'RESOLVED' || !still(alert)) return null;
      alert.alertStatus = 'RESOLVED';
      alert.resolvedAt = now;
      alert.resolvedBy = null;
      alert.lastEvaluatedAt = now;
      addEvents(alert, {
        at: now.toISOString(),
        event: 'RESOLVED',
        severity: alert.severity,
        actualValue: null,
        by: null,
        comment: detail,
      });
      if (this.notifier.enabled) alert.lastNotifiedAt = now;
      alert.updatedAt = now;
      return manager.save(alert);
    });
    if (!resolved) return;
    counts.resolved += 1;
    const strategy = resolved.cacheStrategyId
      ? await this.datasources.entityByStrategyId(resolved.cacheStrategyId)
      : null;
    if (
      await this.notifier.enqueue(
        resolved,
        'RESOLVED',
        strategy ? { id: strategy.datasourceId, name: strategy.name } : null,
        `${detail} — ${resolved.alertMessage}`,
      )
    )
      counts.notificationsQueued += 1;
  }
}
