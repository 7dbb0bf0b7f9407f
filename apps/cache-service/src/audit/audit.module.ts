import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLogEntity } from './audit-log.entity.js';
import { AuditService } from './audit.service.js';

/**
 * The audit trail: one writer and reader of the audit log for every area.
 * Offers: AuditService (record, list; AuditInterceptor, on the state-changing routes, writes through it).
 * Needs: the global configuration and Redis client (the outbox of rows not yet written).
 * Routes: GET /api/admin/audit.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuditLogEntity])],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
