import { AuditLogEntity } from '../audit/audit-log.entity.js';
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { AppUserEntity } from '../users/app-user.entity.js';
import { WarmingJobEntity } from '../warming/warming-job.entity.js';

export const ENTITIES = [AppUserEntity, ApiKeyEntity, AuditLogEntity, CacheStrategyEntity, WarmingJobEntity];
