import type { Provider, Type } from '@nestjs/common';
import { IndexBuilderService } from './index-builder.service.js';
import { IndexCatalogRepository } from './index-catalog.repository.js';
import { IndexStrategyController } from './index-strategy.controller.js';
import { IndexStrategyEntity } from './index-strategy.entity.js';
import { IndexStrategyService } from './index-strategy.service.js';
import { IndexStrategyValidator } from './index-strategy.validator.js';
import { IndexUsageStatsEntity } from './index-usage-stats.entity.js';
import { IndexUsageCollector } from './index-usage.collector.js';
import { QueryPerformanceController } from './query-performance.controller.js';
import { QueryPerformanceRecorder } from './query-performance.recorder.js';
import { QueryPerformanceRepository } from './query-performance.repository.js';
import { QueryPerformanceService } from './query-performance.service.js';

/** This area's TypeORM entities, controllers and providers; AppModule registers them (one module, so areas can inject each other's services). */
export const DB_PERFORMANCE_ENTITIES: Type[] = [IndexStrategyEntity, IndexUsageStatsEntity];
export const DB_PERFORMANCE_CONTROLLERS: Type[] = [QueryPerformanceController, IndexStrategyController];
export const DB_PERFORMANCE_PROVIDERS: Provider[] = [
  QueryPerformanceRepository,
  QueryPerformanceRecorder,
  QueryPerformanceService,
  IndexCatalogRepository,
  IndexStrategyValidator,
  IndexBuilderService,
  IndexStrategyService,
  IndexUsageCollector,
];
