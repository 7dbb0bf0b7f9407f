import { Module } from '@nestjs/common';
import { AnalyticsCacheModule } from '../analytics-cache/analytics-cache.module.js';
import { DatasourcesModule } from '../datasources/datasources.module.js';
import { DemoSeedService } from './demo-seed.service.js';
import { DemoTrafficService } from './demo-traffic.service.js';

/**
 * Demo data and synthetic traffic (DEMO_MODE).
 * Offers: DemoSeedService, DemoTrafficService (started by BootstrapService).
 * Needs: AnalyticsCacheModule (counters), DatasourcesModule (the datasources to simulate).
 */
@Module({
  imports: [AnalyticsCacheModule, DatasourcesModule],
  providers: [DemoSeedService, DemoTrafficService],
  exports: [DemoSeedService, DemoTrafficService],
})
export class DemoModule {}
