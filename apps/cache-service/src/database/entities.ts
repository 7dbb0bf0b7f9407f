import { ALERTS_ENTITIES } from '../alerts/index.js';
import { AuditLogEntity } from '../audit/audit-log.entity.js';
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { DB_PERFORMANCE_ENTITIES } from '../db-performance/index.js';
import { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { INSIGHTS_ENTITIES } from '../insights/index.js';
import { AppUserEntity } from '../users/app-user.entity.js';
import { WarmingJobEntity } from '../warming/warming-job.entity.js';

export const ENTITIES = [
  AppUserEntity,
  ApiKeyEntity,
  AuditLogEntity,
  CacheStrategyEntity,
  WarmingJobEntity,
  ...ALERTS_ENTITIES,
  ...INSIGHTS_ENTITIES,
  ...DB_PERFORMANCE_ENTITIES,
];
