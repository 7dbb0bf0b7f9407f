import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertsModule } from '../alerts/alerts.module.js';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { RemediationActionEntity } from './remediation-action.entity.js';
import { RemediationActionsService } from './remediation-actions.service.js';
import { RemediationExecutor } from './remediation-executor.js';
import { RemediationRuleEntity } from './remediation-rule.entity.js';
import { RemediationRulesService } from './remediation-rules.service.js';

/**
 * Remediation rules: the only owner of the remediation_rule and remediation_action tables. Sits above the alerts,
 * whose evaluation rounds it follows (AlertEvaluator.afterRound); the alerts never import it.
 * Offers RemediationRulesService and RemediationActionsService to its routes (api-routes.module.ts; the worker, which
 * may run the evaluation round, loads this module without them). Needs: AlertsModule (open alerts, escalation, the timeline), WarmingModule
 * (warms, schedules), AnalyticsCacheModule (a region's invalidation, the configured regions),
 * DatasourcesModule (staleness TTL), AuditModule (actions done by rules).
 * Routes: /api/admin/monitoring/remediation/{rules,actions}.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([RemediationRuleEntity, RemediationActionEntity]),
    AlertsModule,
    AnalyticsCacheModule,
    WarmingModule,
    DatasourcesModule,
    AuditModule,
  ],
  providers: [RemediationRulesService, RemediationActionsService, RemediationExecutor],
  exports: [RemediationRulesService, RemediationActionsService],
})
export class RemediationModule {}
