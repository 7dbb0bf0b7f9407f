import type { Provider, Type } from '@nestjs/common';
import { AlertEvaluator } from './alert-evaluator.service.js';
import { AlertMetricsRepository } from './alert-metrics.repository.js';
import { AlertNotifier } from './alert-notifier.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { CacheAlertEntity } from './cache-alert.entity.js';
import { PerformanceThresholdEntity } from './performance-threshold.entity.js';
import { ThresholdsController } from './thresholds.controller.js';
import { ThresholdsService } from './thresholds.service.js';

/** This area's TypeORM entities, controllers and providers; AppModule registers them (one module, so areas can inject each other's services). */
export const ALERTS_ENTITIES: Type[] = [PerformanceThresholdEntity, CacheAlertEntity];
export const ALERTS_CONTROLLERS: Type[] = [ThresholdsController, AlertsController];
export const ALERTS_PROVIDERS: Provider[] = [ThresholdsService, AlertsService, AlertEvaluator, AlertMetricsRepository, AlertNotifier];
