import { Module } from '@nestjs/common';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { OperatorSnapshots } from './operator-snapshot.js';
import { QueueBoardController } from './queue-board.controller.js';
import { QueueBoardQueues, queueBoardModule } from './queue-board.js';

/**
 * The operator surface over the other areas: the scrape snapshot behind the gauges of /metrics (deploy/prometheus/
 * has the rules that read them) and the read-only queue board (bull-board) at /admin/queues.
 * Offers: nothing to other areas (OperatorSnapshots attaches itself to telemetry's OperatorSnapshotSource).
 * Needs: AnalyticsCacheModule (generation figures, locks), WarmingModule (the queues), AuthModule (the board's
 * guard), TelemetryModule, the global database and Redis client.
 * Routes: POST /api/admin/queue-board/session; /admin/queues (bull-board, guarded in configure-app.ts).
 */
@Module({
  imports: [TelemetryModule, AnalyticsCacheModule, WarmingModule, AuthModule, queueBoardModule()],
  controllers: [QueueBoardController],
  providers: [OperatorSnapshots, QueueBoardQueues],
})
export class ObservabilityModule {}
