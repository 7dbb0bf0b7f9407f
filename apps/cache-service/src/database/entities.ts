// Entity files only: the migration CLI loads this list, and must not pull in services or controllers.
import { CacheAlertEntity } from '../alerts/cache-alert.entity.js';
import { PerformanceThresholdEntity } from '../alerts/performance-threshold.entity.js';
import { AuditLogEntity } from '../audit/audit-log.entity.js';
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { IndexStrategyEntity } from '../db-performance/index-strategy.entity.js';
import { IndexUsageStatsEntity } from '../db-performance/index-usage-stats.entity.js';
import { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { RecommendationEntity } from '../insights/recommendation.entity.js';
import { UsagePatternEntity } from '../insights/usage-pattern.entity.js';
import { RemediationActionEntity } from '../remediation/remediation-action.entity.js';
import { RemediationRuleEntity } from '../remediation/remediation-rule.entity.js';
import { AppUserEntity } from '../users/app-user.entity.js';
import { WarmingJobEntity } from '../warming/warming-job.entity.js';

export const ENTITIES = [
  AppUserEntity,
  ApiKeyEntity,
  AuditLogEntity,
  CacheStrategyEntity,
  WarmingJobEntity,
  PerformanceThresholdEntity,
  CacheAlertEntity,
  UsagePatternEntity,
  RecommendationEntity,
  IndexStrategyEntity,
  IndexUsageStatsEntity,
  RemediationRuleEntity,
  RemediationActionEntity,
];
