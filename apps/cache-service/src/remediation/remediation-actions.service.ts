import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type {
  Paginated,
  Principal,
  RemediationAction,
  RemediationActionQuery,
  RemediationOutcome,
} from '@ccc/shared-types';
import { In, IsNull, MoreThanOrEqual, Not, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { appendAlertEvent } from '../alerts/alert-history.js';
import { AlertsService } from '../alerts/alerts.service.js';
import { AppError } from '../common/app-error.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { authorOf } from '../users/author.js';
import { WarmingService } from '../warming/warming.service.js';
import { RemediationActionEntity } from './remediation-action.entity.js';

/**
 * Outcomes that count against the hourly limit: something was changed or someone was paged. A NOTIFY_ONLY rule's
 * DONE changes nothing, so it does not count (one such rule on many open alerts would otherwise use up the limit).
 */
const COUNTED: RemediationOutcome[] = ['DONE', 'ESCALATED'];
/** Actions whose previous value can be put back. */
const REVERSIBLE = new Set(['RAISE_STALENESS_TTL', 'PAUSE_SCHEDULE']);

/** A row to write; its id is chosen by the caller (the audit row names it even when the row is written later). */
export type NewAction = Omit<RemediationActionEntity, 'undoneAt' | 'undoneBy' | 'createdAt'>;

/** The actions rules took: the only owner of the remediation_action table. */
@Injectable()
export class RemediationActionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(RemediationActionEntity) private readonly rows: Repository<RemediationActionEntity>,
    private readonly datasources: DatasourcesService,
    private readonly warming: WarmingService,
    private readonly alerts: AlertsService,
  ) {}

  async list(query: RemediationActionQuery): Promise<Paginated<RemediationAction>> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const where: Record<string, unknown> = {};
    if (query.ruleId) where.ruleId = query.ruleId;
    if (query.outcome) where.outcome = query.outcome;
    if (query.datasourceId !== undefined)
      where.cacheStrategyId = (await this.datasources.getEntity(query.datasourceId)).id;
    const [rows, total] = await this.rows.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items: await this.map(rows), total, page, pageSize };
  }

  async get(id: string): Promise<RemediationAction> {
    return (await this.map([await this.entity(id)]))[0];
  }

  /** Records an action; written again (a retry after an error whose insert did commit), it stays one row. */
  async record(action: NewAction, at: Date): Promise<void> {
    await this.rows.save(this.rows.create({ ...action, undoneAt: null, undoneBy: null, createdAt: at }));
  }

  /**
   * Writes an ESCALATED row in the caller's transaction (the alert's escalation, which it joins: both or neither);
   * false when the rule already escalated the alert — refused by the unique index, nothing is written then.
   */
  async claimEscalation(action: NewAction, at: Date, manager: EntityManager): Promise<boolean> {
    const inserted = (await manager.query(
      `INSERT INTO remediation_action (id, rule_id, rule_name, alert_id, alert_type, cache_strategy_id, action, outcome,
         detail, warm_job_id, previous_value, new_value, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'ESCALATED', $8, $9, $10, $11, $12)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        action.id,
        action.ruleId,
        action.ruleName,
        action.alertId,
        action.alertType,
        action.cacheStrategyId,
        action.action,
        action.detail,
        action.warmJobId,
        action.previousValue === null ? null : JSON.stringify(action.previousValue),
        action.newValue === null ? null : JSON.stringify(action.newValue),
        at,
      ],
    )) as unknown[];
    return inserted.length > 0;
  }

  /** When the rule last recorded anything for a datasource (or, for alerts without one, for the alert). */
  async lastActedAt(ruleId: string, strategyId: string | null, alertId: string): Promise<Date | null> {
    const last = await this.rows.findOne({
      select: { createdAt: true },
      where: strategyId ? { ruleId, cacheStrategyId: strategyId } : { ruleId, alertId },
      order: { createdAt: 'DESC' },
    });
    return last?.createdAt ?? null;
  }

  /**
   * The states of the warms a rule queued (or tried to) for an alert, oldest first (null: the job row is gone). A warm
   * the datasource refused (FAILED row, no job) is a failed attempt like a warm that failed while running: without
   * it, a rule whose warms are always refused would fail every cool-down forever and never escalate.
   */
  async warmsFor(ruleId: string, alertId: string): Promise<Array<RemediationAction['warmStatus']>> {
    const rows = await this.rows.find({
      select: { outcome: true, warmJobId: true },
      where: [
        { ruleId, alertId, outcome: 'DONE', warmJobId: Not(IsNull()) },
        { ruleId, alertId, outcome: 'FAILED' },
      ],
      order: { createdAt: 'ASC' },
    });
    const statuses = await this.warming.jobStatuses(rows.filter((r) => r.warmJobId).map((r) => r.warmJobId!));
    return rows.map((r) => (r.outcome === 'FAILED' ? 'FAILED' : (statuses.get(r.warmJobId!) ?? null)));
  }

  async escalated(ruleId: string, alertId: string): Promise<boolean> {
    return (await this.rows.countBy({ ruleId, alertId, outcome: 'ESCALATED' })) > 0;
  }

  /** Actions that changed something or paged someone since `since`, by every rule (NOTIFY_ONLY changes nothing). */
  countSince(since: Date): Promise<number> {
    return this.rows.countBy({
      outcome: In(COUNTED),
      action: Not('NOTIFY_ONLY' as const),
      createdAt: MoreThanOrEqual(since),
    });
  }

  /**
   * Puts back the setting a RAISE_STALENESS_TTL or PAUSE_SCHEDULE action changed, unless it changed again since
   * (409: someone else's change is not overwritten). Claimed in one statement, so two undos cannot both run.
   */
  async undo(id: string, principal: Principal): Promise<RemediationAction> {
    const row = await this.entity(id);
    if (!REVERSIBLE.has(row.action) || row.outcome !== 'DONE')
      throw AppError.conflict(`Action ${id} (${row.action}, ${row.outcome}) changed nothing that can be put back`, {
        action: row.action,
        outcome: row.outcome,
      });
    const claimed = (await this.db.query(
      `UPDATE remediation_action SET undone_at = now(), undone_by = $2 WHERE id = $1 AND undone_at IS NULL RETURNING id`,
      [id, authorOf(principal)],
    )) as [unknown[], number];
    if (claimed[1] === 0) throw AppError.conflict(`Action ${id} was already undone`, { undone: true });
    try {
      await this.putBack(row, principal);
    } catch (error) {
      await this.rows.update({ id }, { undoneAt: null, undoneBy: null });
      throw error;
    }
    const alert = row.alertId ? await this.alerts.get(row.alertId).catch(() => null) : null;
    if (alert)
      await appendAlertEvent(this.db, alert.id, {
        at: new Date().toISOString(),
        event: 'REMEDIATION',
        severity: alert.severity,
        actualValue: alert.actualValue,
        by: authorOf(principal),
        comment: `Undone by ${principal.name}: ${row.detail}`.slice(0, 1000),
      });
    return this.get(id);
  }

  private async putBack(row: RemediationActionEntity, principal: Principal): Promise<void> {
    const strategy = row.cacheStrategyId ? await this.datasources.entityByStrategyId(row.cacheStrategyId) : null;
    if (!strategy) throw AppError.conflict(`The datasource of action ${row.id} no longer exists`);
    const changed = (what: string): AppError =>
      AppError.conflict(`The ${what} of datasource ${strategy.datasourceId} changed since the action: not put back`, {
        stale: true,
      });
    if (row.action === 'RAISE_STALENESS_TTL') {
      if (strategy.stalenessTtlSeconds !== row.newValue?.stalenessTtlSeconds) throw changed('staleness TTL');
      const previous = Number(row.previousValue?.stalenessTtlSeconds);
      await this.datasources.update(strategy.datasourceId, { stalenessTtlSeconds: previous }, principal);
    } else {
      const previous = String(row.previousValue?.warmSchedule);
      // Already back to `previous`: an earlier undo wrote it to PostgreSQL, then failed to recreate the BullMQ job
      // scheduler (setSchedule writes both, in that order). Writing it again completes that undo.
      if (strategy.warmSchedule !== null && strategy.warmSchedule !== previous) throw changed('warm schedule');
      await this.warming.setSchedule(strategy.datasourceId, previous);
    }
  }

  private async entity(id: string): Promise<RemediationActionEntity> {
    const row = await this.rows.findOneBy({ id });
    if (!row) throw AppError.notFound('Remediation action', id);
    return row;
  }

  private async map(rows: RemediationActionEntity[]): Promise<RemediationAction[]> {
    const strategyIds = [...new Set(rows.map((r) => r.cacheStrategyId).filter((s): s is string => s !== null))];
    const strategies = new Map((await this.datasources.entitiesByStrategyIds(strategyIds)).map((s) => [s.id, s]));
    const statuses = await this.warming.jobStatuses(rows.map((r) => r.warmJobId).filter((j): j is string => !!j));
    return rows.map((row) => {
      const strategy = row.cacheStrategyId ? strategies.get(row.cacheStrategyId) : undefined;
      return {
        id: row.id,
        ruleId: row.ruleId,
        ruleName: row.ruleName,
        alertId: row.alertId,
        alertType: row.alertType,
        datasourceId: strategy?.datasourceId ?? null,
        datasourceName: strategy?.name ?? null,
        action: row.action,
        outcome: row.outcome,
        detail: row.detail,
        warmJobId: row.warmJobId,
        warmStatus: row.warmJobId ? (statuses.get(row.warmJobId) ?? null) : null,
        previousValue: row.previousValue,
        newValue: row.newValue,
        undoable: REVERSIBLE.has(row.action) && row.outcome === 'DONE' && row.undoneAt === null,
        undoneAt: row.undoneAt?.toISOString() ?? null,
        undoneBy: row.undoneBy,
        createdAt: row.createdAt.toISOString(),
      };
    });
  }
}
