import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { CacheAlert, Principal, RemediationOutcome } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';
import { appendAlertEvent } from '../alerts/alert-history.js';
import { AlertEvaluator } from '../alerts/alert-evaluator.service.js';
import { AlertsService } from '../alerts/alerts.service.js';
import { AuditService, type AutomaticActor } from '../audit/audit.service.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { AnalyticsCacheService } from '../analytics-cache/analytics-cache.service.js';
import { WarmingService } from '../warming/warming.service.js';
import { RemediationActionsService, type NewAction } from './remediation-actions.service.js';
import { decide, raisedTtl, WARM_ACTIONS } from './remediation-guardrails.js';
import type { RemediationRuleEntity } from './remediation-rule.entity.js';
import { RemediationRulesService } from './remediation-rules.service.js';

/** What one action did (or, in dry-run, would do). */
interface Effect {
  outcome: RemediationOutcome;
  detail: string;
  warmJobId?: string | null;
  previousValue?: Record<string, unknown> | null;
  newValue?: Record<string, unknown> | null;
}

const OPEN_ALERTS_PER_STATUS = 200;
const HOUR_MS = 3_600_000;

export const ruleActor = (rule: { id: string; name: string }): AutomaticActor => ({
  kind: 'rule',
  id: `rule:${rule.id}`,
  name: `Remediation rule "${rule.name}"`,
});

/** The principal a rule's changes are made as (columns like updated_by attribute them to the system user). */
const rulePrincipal = (rule: RemediationRuleEntity): Principal => ({
  kind: 'api_key',
  id: `rule:${rule.id}`,
  name: `Remediation rule "${rule.name}"`,
  role: null,
  permissions: [],
});

/**
 * Remediation rules at work: after every alert evaluation round (under the evaluation lease, so one replica acts at a
 * time) each enabled rule looks at the open alerts of its type and scope and, when the guardrails allow
 * (remediation-guardrails.ts), acts — or records what it would do in dry-run. Every action is audited as done by the
 * rule, appended to the alert's timeline and listed per rule.
 */
@Injectable()
export class RemediationExecutor implements OnModuleInit {
  private readonly logger = new Logger(RemediationExecutor.name);
  /**
   * Rows of actions taken that PostgreSQL refused (the change was made and audited): written before the next round
   * acts. Kept in this process only — a replica taking over the lease meanwhile does not see them.
   */
  private readonly deferred: Array<{ action: NewAction; at: Date }> = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly evaluator: AlertEvaluator,
    private readonly alerts: AlertsService,
    private readonly rules: RemediationRulesService,
    private readonly actions: RemediationActionsService,
    private readonly datasources: DatasourcesService,
    private readonly warming: WarmingService,
    private readonly cache: AnalyticsCacheService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.evaluator.afterRound((now) => this.round(now));
  }

  /** One pass over the open alerts; returns how many actions were taken (escalations included). */
  async round(now = new Date()): Promise<number> {
    const rules = await this.rules.enabledEntities();
    if (!(await this.recordDeferred()) || rules.length === 0) return 0;
    const open = [
      ...(await this.alerts.list({ status: 'ACTIVE', pageSize: OPEN_ALERTS_PER_STATUS })).items,
      ...(await this.alerts.list({ status: 'ACKNOWLEDGED', pageSize: OPEN_ALERTS_PER_STATUS })).items,
    ];
    let recorded = 0;
    for (const alert of open) {
      for (const rule of rules) {
        if (rule.alertType !== alert.alertType) continue;
        if (rule.cacheStrategyId !== null && rule.cacheStrategyId !== alert.cacheStrategyId) continue;
        try {
          if (await this.consider(rule, alert, now)) recorded += 1;
        } catch (error) {
          this.logger.warn({
            msg: 'remediation rule failed',
            rule: rule.id,
            alert: alert.id,
            error: (error as Error).message,
          });
        }
      }
    }
    return recorded;
  }

  private async consider(rule: RemediationRuleEntity, alert: CacheAlert, now: Date): Promise<boolean> {
    const strategy = alert.datasourceId === null ? null : await this.datasources.findEntity(alert.datasourceId);
    if (alert.datasourceId !== null && !strategy) return false;
    const decision = decide({
      rule,
      alert: { severity: alert.severity, datasourceId: alert.datasourceId },
      lastActedAt: await this.actions.lastActedAt(rule.id, strategy?.id ?? null, alert.id),
      warmsForAlert: WARM_ACTIONS.has(rule.action) ? await this.actions.warmsFor(rule.id, alert.id) : [],
      escalated: await this.actions.escalated(rule.id, alert.id),
      warmActive: strategy ? (await this.warming.activeJobOf(strategy.datasourceId)) !== null : false,
      actionsLastHour: await this.actions.countSince(new Date(now.getTime() - HOUR_MS)),
      maxActionsPerHour: this.config.remediation.maxActionsPerHour,
      now,
    });
    if (decision.kind === 'skip') return false;
    if (decision.kind === 'escalate') return this.escalate(rule, alert, strategy, decision.failedAttempts, now);
    const effect = await this.act(rule, strategy);
    if (!effect) return false;
    await this.record(rule, alert, strategy, effect, now);
    return true;
  }

  /**
   * Gives up on the alert: the ESCALATED row is written in the alert's escalation transaction (AlertsService.escalate),
   * so an escalation that fails halfway leaves neither and is tried again next round, and the row's unique index (one
   * per rule and alert) keeps a second one — another replica's, or a retry's — from paging people twice.
   */
  private async escalate(
    rule: RemediationRuleEntity,
    alert: CacheAlert,
    strategy: CacheStrategyEntity | null,
    failedAttempts: number,
    now: Date,
  ): Promise<boolean> {
    const detail = `Stopped after ${failedAttempts} failed warm(s) by rule "${rule.name}"; escalated to people`;
    const effect: Effect = { outcome: 'ESCALATED', detail };
    const action = this.newAction(rule, alert, strategy, effect);
    const escalated = await this.alerts.escalate(alert.id, `rule:${rule.id}`, detail, (manager) =>
      this.actions.claimEscalation(action, now, manager),
    );
    if (!escalated) return false;
    // The escalation wrote its own ESCALATED event on the alert's timeline.
    await this.auditAction(rule, alert, strategy, effect, action.id);
    return true;
  }

  /**
   * Writes the rows PostgreSQL refused in earlier rounds; false while it still refuses them: the guardrails (cool-down,
   * hourly limit, failed warms) count rows, so no rule acts before the last actions' rows are written.
   */
  private async recordDeferred(): Promise<boolean> {
    while (this.deferred.length > 0) {
      const { action, at } = this.deferred[0];
      try {
        await this.actions.record(action, at);
      } catch (error) {
        const code = (error as { driverError?: { code?: string } }).driverError?.code ?? '';
        // Refused for its content (its rule, alert or datasource deleted meanwhile: class 23), it never will be
        // written: let it go — its audit row has it.
        if (!code.startsWith('23')) {
          this.logger.warn({ msg: 'remediation waits for its deferred action rows', error: (error as Error).message });
          return false;
        }
        this.logger.warn({ msg: 'deferred remediation action row dropped', action: action.id, code });
      }
      this.deferred.shift();
    }
    return true;
  }

  /** Does what the rule says (or describes it, in dry-run); null when there is nothing to do. */
  private async act(rule: RemediationRuleEntity, strategy: CacheStrategyEntity | null): Promise<Effect | null> {
    const name = strategy ? `datasource ${strategy.datasourceId} (${strategy.name})` : 'no datasource';
    const dry = (detail: string, extra: Partial<Effect> = {}): Effect => ({
      outcome: 'DRY_RUN',
      detail: `Dry run: would ${detail}`,
      ...extra,
    });
    switch (rule.action) {
      case 'NOTIFY_ONLY':
        return rule.dryRun
          ? dry('only record the alert')
          : { outcome: 'DONE', detail: 'Recorded only: the rule notifies and changes nothing' };
      case 'WARM':
      case 'WARM_FORCE': {
        const force = rule.action === 'WARM_FORCE';
        if (rule.dryRun) return dry(`queue a ${force ? 'forced ' : ''}warm of ${name}`);
        const response = await this.warming.requestWarm({
          datasourceIds: [strategy!.datasourceId],
          force,
          warmingType: 'MANUAL',
          principal: null,
        });
        const result = response.results[0];
        if (result.status === 'queued')
          return {
            outcome: 'DONE',
            detail: `Queued a ${force ? 'forced ' : ''}warm of ${name}`,
            warmJobId: result.jobId,
          };
        // Someone else's warm got there first, or one ran within the datasource's minimum interval: the cache is (being)
        // refreshed, so there is nothing to do now and nothing to record.
        if (result.status === 'already_warming' || result.retryAfterSeconds !== undefined) return null;
        // Refused (datasource disabled, source outside SOURCE_SCHEMAS): a failed attempt, counted towards escalation.
        return { outcome: 'FAILED', detail: `Could not warm ${name}: ${result.reason ?? 'skipped'}` };
      }
      case 'RAISE_STALENESS_TTL': {
        const current = strategy!.stalenessTtlSeconds;
        const raised = raisedTtl(current, rule.ttlFactor!, rule.maxTtlSeconds!);
        if (raised === null) return null;
        const change = {
          previousValue: { stalenessTtlSeconds: current },
          newValue: { stalenessTtlSeconds: raised },
        };
        const detail = `raise the staleness TTL of ${name} from ${current} s to ${raised} s (cap ${rule.maxTtlSeconds} s)`;
        if (rule.dryRun) return dry(detail, change);
        await this.datasources.update(strategy!.datasourceId, { stalenessTtlSeconds: raised }, rulePrincipal(rule));
        return {
          outcome: 'DONE',
          detail: `Raised the staleness TTL of ${name} from ${current} s to ${raised} s`,
          ...change,
        };
      }
      case 'INVALIDATE_REGION': {
        const region = rule.region!;
        if (rule.dryRun) return dry(`drop the cache of ${name} in region ${region}`);
        const { entriesDropped } = await this.cache.invalidateOneRegion(strategy!.datasourceId, region);
        return {
          outcome: 'DONE',
          detail: `Dropped the cache of ${name} in region ${region} (${entriesDropped} entries); the next warm writes it again`,
        };
      }
      case 'PAUSE_SCHEDULE': {
        const cron = strategy!.warmSchedule;
        if (cron === null) return null;
        const change = { previousValue: { warmSchedule: cron }, newValue: { warmSchedule: null } };
        if (rule.dryRun) return dry(`pause the warm schedule "${cron}" of ${name}`, change);
        await this.warming.setSchedule(strategy!.datasourceId, null);
        return { outcome: 'DONE', detail: `Paused the warm schedule "${cron}" of ${name}`, ...change };
      }
    }
  }

  /**
   * The bookkeeping of what act() did: its row, its audit row, its event on the alert's timeline. The change is made
   * by now, so its audit row is written whatever else fails; a row PostgreSQL refuses is written before the next
   * round acts (recordDeferred), and the timeline, last and on its own, cannot undo either.
   */
  private async record(
    rule: RemediationRuleEntity,
    alert: CacheAlert,
    strategy: CacheStrategyEntity | null,
    effect: Effect,
    now: Date,
  ): Promise<void> {
    const action = this.newAction(rule, alert, strategy, effect);
    try {
      await this.actions.record(action, now);
    } catch (error) {
      this.deferred.push({ action, at: now });
      this.logger.warn({
        msg: 'remediation action row deferred',
        rule: rule.id,
        alert: alert.id,
        action: action.id,
        error: (error as Error).message,
      });
    }
    await this.auditAction(rule, alert, strategy, effect, action.id);
    await appendAlertEvent(this.db, alert.id, {
      at: now.toISOString(),
      event: 'REMEDIATION',
      severity: alert.severity,
      actualValue: alert.actualValue,
      by: `rule:${rule.id}`,
      comment: effect.detail,
    }).catch((error: Error) =>
      this.logger.warn({
        msg: 'remediation event not added to the alert timeline',
        alert: alert.id,
        error: error.message,
      }),
    );
  }

  private newAction(
    rule: RemediationRuleEntity,
    alert: CacheAlert,
    strategy: CacheStrategyEntity | null,
    effect: Effect,
  ): NewAction {
    // Chosen here, so the audit row names the action row even when that row is written later.
    return {
      id: randomUUID(),
      ruleId: rule.id,
      ruleName: rule.name,
      alertId: alert.id,
      alertType: alert.alertType,
      cacheStrategyId: strategy?.id ?? null,
      action: rule.action,
      outcome: effect.outcome,
      detail: effect.detail.slice(0, 1000),
      warmJobId: effect.warmJobId ?? null,
      previousValue: effect.previousValue ?? null,
      newValue: effect.newValue ?? null,
    };
  }

  private async auditAction(
    rule: RemediationRuleEntity,
    alert: CacheAlert,
    strategy: CacheStrategyEntity | null,
    effect: Effect,
    actionId: string,
  ): Promise<void> {
    await this.audit.record({
      actor: ruleActor(rule),
      action: effect.outcome === 'ESCALATED' ? 'remediation.escalate' : `remediation.${rule.action.toLowerCase()}`,
      targetType: strategy ? 'datasource' : 'alert',
      targetId: strategy ? String(strategy.datasourceId) : alert.id,
      parameters: {
        ruleId: rule.id,
        alertId: alert.id,
        actionId,
        outcome: effect.outcome,
        dryRun: rule.dryRun,
        ...(effect.warmJobId ? { warmJobId: effect.warmJobId } : {}),
        ...(effect.previousValue ? { previousValue: effect.previousValue, newValue: effect.newValue } : {}),
      },
      outcome: effect.outcome === 'FAILED' ? 'failure' : 'success',
    });
    this.logger.log({
      msg: 'remediation',
      rule: rule.id,
      alert: alert.id,
      outcome: effect.outcome,
      detail: effect.detail,
    });
  }
}
