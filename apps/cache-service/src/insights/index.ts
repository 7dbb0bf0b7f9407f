import type { Provider, Type } from '@nestjs/common';
import { EfficiencyController } from './efficiency.controller.js';
import { EfficiencyService } from './efficiency.service.js';
import { IndexActions } from './index-actions.js';
import { InsightsRepository } from './insights.repository.js';
import { RecommendationEntity } from './recommendation.entity.js';
import { RecommendationsController } from './recommendations.controller.js';
import { RecommendationsService } from './recommendations.service.js';
import { UsagePatternEntity } from './usage-pattern.entity.js';
import { UsagePatternsController } from './usage-patterns.controller.js';
import { UsagePatternsService } from './usage-patterns.service.js';

/** This area's TypeORM entities, controllers and providers; AppModule registers them (one module, so areas can inject each other's services). */
export const INSIGHTS_ENTITIES: Type[] = [UsagePatternEntity, RecommendationEntity];
export const INSIGHTS_CONTROLLERS: Type[] = [UsagePatternsController, RecommendationsController, EfficiencyController];
export const INSIGHTS_PROVIDERS: Provider[] = [InsightsRepository, UsagePatternsService, RecommendationsService, EfficiencyService, IndexActions];
