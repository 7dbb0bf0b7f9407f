import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { HealthService } from './health.service.js';
import { MetricsAccess } from './metrics-access.js';
import { MetricsService } from './metrics.service.js';

/**
 * Liveness, readiness and Prometheus metrics.
 * Offers: MetricsService (configure-app counts requests through it).
 * Needs: WarmingModule (queue and worker state for readiness), AuditModule (outbox metrics), the global database
 * and Redis client.
 * Routes: /health/live, /health/ready, /metrics.
 */
@Module({
  imports: [WarmingModule, AuditModule, TelemetryModule],
  providers: [HealthService, MetricsService, MetricsAccess],
  exports: [MetricsService, HealthService, MetricsAccess],
})
export class HealthModule {}
