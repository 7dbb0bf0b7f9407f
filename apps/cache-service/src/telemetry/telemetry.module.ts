import { Module } from '@nestjs/common';
import { CorrelationContext } from './correlation-context.js';
import { MetricsRegistry } from './metrics-registry.js';
import { OperatorMetricsService } from './operator-metrics.service.js';
import { OperatorSnapshotSource } from './operator-snapshot-source.js';

/**
 * Telemetry the areas report through: the process's Prometheus registry, the operator metrics (queries and warms as
 * they happen, gauges from the scrape snapshot) and the correlation id of the work in progress.
 * Offers: MetricsRegistry, OperatorMetricsService, OperatorSnapshotSource (observability/ attaches the reader),
 * CorrelationContext.
 * Needs: nestjs-pino's logger (request-logging.ts's loggingModule, imported by AppModule).
 * Routes: none (/metrics is health/'s).
 */
@Module({
  providers: [MetricsRegistry, OperatorSnapshotSource, OperatorMetricsService, CorrelationContext],
  exports: [MetricsRegistry, OperatorSnapshotSource, OperatorMetricsService, CorrelationContext],
})
export class TelemetryModule {}
