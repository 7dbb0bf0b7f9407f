import { Module } from '@nestjs/common';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { OperatorSnapshots } from './operator-snapshot.js';

/**
 * The operator surface over the other areas: the scrape snapshot behind the gauges of /metrics (deploy/prometheus/
 * has the rules that read them); the queue board is QueueBoardModule (roles all and api).
 * Offers: nothing to other areas (OperatorSnapshots attaches itself to telemetry's OperatorSnapshotSource).
 * Needs: AnalyticsCacheModule (generation figures, locks), WarmingModule (the queues), TelemetryModule, the global
 * database and Redis client.
 */
@Module({
  imports: [TelemetryModule, AnalyticsCacheModule, WarmingModule],
  providers: [OperatorSnapshots],
})
export class ObservabilityModule {}
