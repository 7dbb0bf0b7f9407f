import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AlertEvent, AlertListQuery, CacheAlert, Paginated, Principal } from '@ccc/shared-types';
import { THRESHOLD_METRICS } from '@ccc/shared-types';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { authorOf } from '../users/author.js';
import { AlertMeasurements } from './alert-measurements.js';
import { addEvents } from './alert-history.js';
import { AlertNotifier } from './alert-notifier.js';
import { formatValue, severityOf } from './alert-rules.js';
import { CacheAlertEntity } from './cache-alert.entity.js';

interface AlertRow {
  id: string;
  cache_layer_id: string;
  cache_strategy_id: string | null;
  datasource_id: number | null;
  datasource_name: string | null;
  alert_type: CacheAlert['alertType'];
  severity: CacheAlert['severity'];
  alert_message: string;
  threshold_value: string;
  actual_value: string;
  alert_context: Record<string, unknown> | null;
  alert_status: CacheAlert['alertStatus'];
  acknowledged_by: string | null;
  acknowledged_by_name: string | null;
  acknowledged_at: Date | null;
  acknowledgement_comment: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  created_by: string;
  triggered_at: Date;
  last_evaluated_at: Date | null;
  last_notified_at: Date | null;
  history: AlertEvent[];
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toAlert(row: AlertRow): CacheAlert {
  return {
    id: row.id,
    cacheLayerId: row.cache_layer_id,
    cacheStrategyId: row.cache_strategy_id,
    datasourceId: row.datasource_id,
    datasourceName: row.datasource_name,
    alertType: row.alert_type,
    severity: row.severity,
    alertMessage: row.alert_message,
    thresholdValue: Number(row.threshold_value),
    actualValue: Number(row.actual_value),
    alertContext: row.alert_context,
    alertStatus: row.alert_status,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedByName: row.acknowledged_by_name,
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgementComment: row.acknowledgement_comment,
    resolvedAt: iso(row.resolved_at),
    resolvedBy: row.alert_status === 'RESOLVED' ? (row.resolved_by ?? 'auto') : null,
    createdBy: row.created_by,
    triggeredAt: row.triggered_at.toISOString(),
    lastEvaluatedAt: iso(row.last_evaluated_at),
    lastNotifiedAt: iso(row.last_notified_at),
    history: row.history ?? [],
  };
}

const SELECT = `
  SELECT a.*, s.datasource_id, s.name AS datasource_name, COALESCE(u.display_name, u.email) AS acknowledged_by_name
  FROM cache_performance_alert a
  LEFT JOIN cache_strategy s ON s.id = a.cache_strategy_id
  LEFT JOIN app_user u ON u.id = a.acknowledged_by`;

/** Reading alerts and the people's side of their lifecycle: acknowledge, resolve. */
@Injectable()
export class AlertsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly notifier: AlertNotifier,
    private readonly measurements: AlertMeasurements,
    private readonly datasources: DatasourcesService,
  ) {}

  /** Open alerts first (ACTIVE, then ACKNOWLEDGED, then RESOLVED), CRITICAL before WARNING, newest first. */
  async list(query: AlertListQuery): Promise<Paginated<CacheAlert>> {
    // An unknown datasource in a filter is a wrong address (404), not an empty page.
    if (query.datasourceId !== undefined) await this.datasources.getEntity(query.datasourceId);
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (sql: string, value: unknown): void => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (query.status) where('a.alert_status = ?', query.status);
    if (query.severity) where('a.severity = ?', query.severity);
    if (query.alertType) where('a.alert_type = ?', query.alertType);
    if (query.datasourceId !== undefined) where('s.datasource_id = ?', query.datasourceId);
    const filter = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const [{ total }] = (await this.db.query(
      `SELECT count(*)::int AS total FROM cache_performance_alert a LEFT JOIN cache_strategy s ON s.id = a.cache_strategy_id ${filter}`,
      params,
    )) as Array<{ total: number }>;
    const rows = (await this.db.query(
      `${SELECT} ${filter}
       ORDER BY CASE a.alert_status WHEN 'ACTIVE' THEN 0 WHEN 'ACKNOWLEDGED' THEN 1 ELSE 2 END,
                CASE a.severity WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END,
                a.triggered_at DESC, a.id
       LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    )) as AlertRow[];
    return { items: rows.map(toAlert), total, page, pageSize };
  }

  async get(id: string): Promise<CacheAlert> {
    const [row] = (await this.db.query(`${SELECT} WHERE a.id = $1`, [id])) as AlertRow[];
    if (!row) throw AppError.notFound('Alert', id);
    return toAlert(row);
  }

  /** ACTIVE → ACKNOWLEDGED: stops repeat notifications until the alert changes (escalates or resolves). */
  async acknowledge(id: string, comment: string, principal: Principal): Promise<CacheAlert> {
    await this.db.transaction(async (manager) => {
      const alert = await this.locked(manager, id);
      if (alert.alertStatus !== 'ACTIVE') {
        throw AppError.conflict(`Alert ${id} is ${alert.alertStatus}: only an ACTIVE alert can be acknowledged`, {
          alertStatus: alert.alertStatus,
        });
      }
      const now = new Date();
      const by = authorOf(principal);
      alert.alertStatus = 'ACKNOWLEDGED';
      alert.acknowledgedBy = by;
      alert.acknowledgedAt = now;
      alert.acknowledgementComment = comment.trim();
      // What the acknowledgement covers: a later return to this severity after a dip does not page again.
      alert.alertContext = { ...(alert.alertContext ?? {}), acknowledgedSeverity: alert.severity };
      addEvents(alert, {
        at: now.toISOString(),
        event: 'ACKNOWLEDGED',
        severity: alert.severity,
        actualValue: alert.actualValue,
        by,
        comment: alert.acknowledgementComment,
      });
      alert.updatedAt = now;
      await manager.save(alert);
    });
    return this.get(id);
  }

  /**
   * ACTIVE or ACKNOWLEDGED → RESOLVED by a person (notified like an automatic resolution). Refused (409) while
   * the latest evaluation still breaches the threshold that applies now: the next evaluation would fire it
   * again. Allowed when that threshold is gone or disabled, or the value is within it.
   */
  async resolve(id: string, comment: string | undefined, principal: Principal): Promise<CacheAlert> {
    const target = await this.db
      .getRepository(CacheAlertEntity)
      .findOne({ select: { id: true, cacheStrategyId: true, alertType: true }, where: { id } });
    if (!target) throw AppError.notFound('Alert', id);
    const check = await this.measurements.applicableCheck(target.cacheStrategyId, target.alertType);
    const resolved = await this.db.transaction(async (manager) => {
      const alert = await this.locked(manager, id);
      if (alert.alertStatus === 'RESOLVED')
        throw AppError.conflict(`Alert ${id} is already RESOLVED`, { alertStatus: alert.alertStatus });
      if (check) {
        const { direction, unit } = THRESHOLD_METRICS[check.metric];
        const breach = severityOf(alert.actualValue, {
          warning: check.threshold.warningThreshold,
          critical: check.threshold.criticalThreshold,
          direction,
        });
        if (breach) {
          throw AppError.conflict(
            `Alert ${id} is still breaching its threshold (last evaluated ${formatValue(unit, alert.actualValue)}, ${breach.toLowerCase()} ${direction === 'ABOVE' ? 'above' : 'below'} ${formatValue(unit, breach === 'CRITICAL' ? check.threshold.criticalThreshold : check.threshold.warningThreshold, true)}): it would fire again at the next evaluation — acknowledge it instead`,
            {
              alertStatus: alert.alertStatus,
              thresholdId: check.threshold.id,
              severity: breach,
              actualValue: alert.actualValue,
            },
          );
        }
      }
      const now = new Date();
      const by = authorOf(principal);
      alert.alertStatus = 'RESOLVED';
      alert.resolvedAt = now;
      alert.resolvedBy = by;
      addEvents(alert, {
        at: now.toISOString(),
        event: 'RESOLVED',
        severity: alert.severity,
        actualValue: alert.actualValue,
        by,
        comment: comment?.trim() || null,
      });
      alert.updatedAt = now;
      if (this.notifier.enabled) alert.lastNotifiedAt = now;
      return manager.save(alert);
    });
    const strategy = resolved.cacheStrategyId
      ? await this.datasources.entityByStrategyId(resolved.cacheStrategyId)
      : null;
    await this.notifier.enqueue(
      resolved,
      'RESOLVED',
      strategy ? { id: strategy.datasourceId, name: strategy.name } : null,
      `Resolved by ${principal.name}${comment?.trim() ? `: ${comment.trim()}` : ''} — ${resolved.alertMessage}`,
    );
    return this.get(id);
  }

  /**
   * An open alert handed to people because automation gave up (a remediation rule's warms kept failing): raised to
   * CRITICAL and kept there until it resolves (the evaluator honours `escalatedTo`), ACTIVE again if it was
   * acknowledged, and notified as ESCALATED. `by` is who gave up (`rule:<id>`). False when the alert is not open.
   * `claim` runs in the escalation's transaction once the alert is locked, so the caller's record of it is written
   * with it or not at all; false (already escalated by that caller) leaves the alert untouched and returns false.
   */
  async escalate(
    id: string,
    by: string,
    comment: string,
    claim?: (manager: EntityManager) => Promise<boolean>,
  ): Promise<boolean> {
    const escalated = await this.db.transaction(async (manager) => {
      const alert = await manager.findOne(CacheAlertEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!alert || alert.alertStatus === 'RESOLVED') return null;
      if (claim && !(await claim(manager))) return null;
      const now = new Date();
      alert.severity = 'CRITICAL';
      alert.alertStatus = 'ACTIVE';
      alert.acknowledgedBy = null;
      alert.acknowledgedAt = null;
      alert.acknowledgementComment = null;
      const { acknowledgedSeverity: _cleared, ...context } = alert.alertContext ?? {};
      alert.alertContext = { ...context, escalatedTo: 'CRITICAL' };
      addEvents(alert, {
        at: now.toISOString(),
        event: 'ESCALATED',
        severity: 'CRITICAL',
        actualValue: alert.actualValue,
        by,
        comment,
      });
      if (this.notifier.enabled) {
        alert.lastNotifiedAt = now;
        alert.notifiedSeverity = 'CRITICAL';
      }
      alert.updatedAt = now;
      return manager.save(alert);
    });
    if (!escalated) return false;
    const strategy = escalated.cacheStrategyId
      ? await this.datasources.entityByStrategyId(escalated.cacheStrategyId)
      : null;
    await this.notifier.enqueue(
      escalated,
      'ESCALATED',
      strategy ? { id: strategy.datasourceId, name: strategy.name } : null,
      `${comment} — ${escalated.alertMessage}`,
    );
    return true;
  }

  private async locked(manager: EntityManager, id: string): Promise<CacheAlertEntity> {
    const alert = await manager.findOne(CacheAlertEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!alert) throw AppError.notFound('Alert', id);
    return alert;
  }
}
