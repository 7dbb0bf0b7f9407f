import { Module } from '@nestjs/common';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { CdcRefresh } from './cdc-refresh.js';
import { ChangeCaptureService } from './change-capture.service.js';
import { ReplicationAdmin } from './replication-admin.js';
import { SlotFigures } from './slot-metrics.js';

/**
 * Change data capture (datasources in `cdc` mode): publications and logical replication slots on the source, their
 * streams, the refreshes of the groups they report, slot lag on /metrics. No table of its own; Redis only for its
 * leases and incidents.
 * Offers: ChangeCaptureService (incidents, stop), SlotFigures (slot lag) for alerts and the details page.
 * Needs: AnalyticsCacheModule (connects to its ChangeCaptureLink for the details page), DatasourcesModule (modes; it
 * follows their lifecycle), WarmingModule (refreshes), TelemetryModule (gauges).
 */
@Module({
  imports: [AnalyticsCacheModule, DatasourcesModule, WarmingModule, TelemetryModule],
  providers: [ReplicationAdmin, CdcRefresh, ChangeCaptureService, SlotFigures],
  exports: [ChangeCaptureService, SlotFigures],
})
export class ChangeCaptureModule {}
