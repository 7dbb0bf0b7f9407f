import { AuditLogEntity } from '../audit/audit-log.entity.js';
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { AppUserEntity } from '../users/app-user.entity.js';

export const ENTITIES = [AppUserEntity, ApiKeyEntity, AuditLogEntity, CacheStrategyEntity];
