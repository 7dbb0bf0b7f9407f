import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ACCESS_PATTERNS,
  CACHE_RESOURCE_TYPES,
  COMMENT_MAX_LENGTH,
  IMPLEMENTATION_STATUSES,
  RECOMMENDATION_PRIORITIES,
  RECOMMENDATION_TYPES,
  type AccessPattern,
  type CacheResourceType,
  type DatasourceEfficiency,
  type EfficiencyReport,
  type HourlyUsage,
  type ImplementationStatus,
  type Paginated,
  type Recommendation,
  type RecommendationDecisionRequest,
  type RecommendationGenerationResult,
  type RecommendationListQuery,
  type RecommendationPriority,
  type RecommendationType,
  type RollupRequest,
  type UsagePattern,
  type UsagePatternQuery,
} from '@ccc/shared-types';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { HitRateDto } from '../analytics-cache/analytics-cache.dto.js';
import { PageQueryDto } from '../common/pagination.dto.js';
import { jsonSchema } from '../common/openapi-json-schemas.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayMessage = (field: string): string => `${field} must be a calendar day, YYYY-MM-DD`;

class DatasourceFilter {
  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number;
}

// --- requests -------------------------------------------------------------------------------------

export class UsagePatternQueryDto extends DatasourceFilter implements UsagePatternQuery {
  @ApiPropertyOptional({
    format: 'date',
    example: '2026-01-01',
    description: 'First UTC day (inclusive); default 29 days before `to`',
  })
  @IsOptional()
  @Matches(DAY, { message: dayMessage('from') })
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    example: '2026-01-30',
    description: 'Last UTC day (inclusive); default today. At most 366 days in all.',
  })
  @IsOptional()
  @Matches(DAY, { message: dayMessage('to') })
  to?: string;
}

export class HourlyUsageQueryDto extends DatasourceFilter {
  @ApiPropertyOptional({ format: 'date-time', description: 'Default 48 hours before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 timestamp' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'End (exclusive); default now; at most 8 days after `from`',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 timestamp' })
  to?: string;
}

export class RollupRequestDto implements RollupRequest {
  @ApiPropertyOptional({
    format: 'date',
    example: '2026-01-30',
    description: 'UTC day to analyse; default yesterday; today gives a partial day; at most 8 days back',
  })
  @IsOptional()
  @Matches(DAY, { message: dayMessage('date') })
  date?: string;
}

export class RecommendationListQueryDto extends PageQueryDto implements RecommendationListQuery {
  @ApiPropertyOptional({ enum: IMPLEMENTATION_STATUSES })
  @IsOptional()
  @IsIn(IMPLEMENTATION_STATUSES)
  status?: ImplementationStatus;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number;

  @ApiPropertyOptional({ enum: RECOMMENDATION_TYPES })
  @IsOptional()
  @IsIn(RECOMMENDATION_TYPES)
  recommendationType?: RecommendationType;
}

export class RecommendationDecisionDto implements RecommendationDecisionRequest {
  @ApiPropertyOptional({ maxLength: COMMENT_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH)
  notes?: string;
}

export class EfficiencyQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 90, default: 7 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(90)
  days?: number;
}

// --- responses ------------------------------------------------------------------------------------

export class UsagePatternDto implements UsagePattern {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) cacheStrategyId: string;
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ enum: CACHE_RESOURCE_TYPES }) resourceType: CacheResourceType;
  @ApiProperty({ enum: ACCESS_PATTERNS }) accessPattern: AccessPattern;
  @ApiProperty({ minimum: 0, maximum: 23, description: 'UTC hour, inclusive' }) peakHourStart: number;
  @ApiProperty({ minimum: 0, maximum: 23, description: 'UTC hour, inclusive' }) peakHourEnd: number;
  @ApiProperty({ description: 'Percentage 0–100' }) averageHitRate: number;
  @ApiProperty({ description: 'Percentage 0–100, inside the peak window' }) peakHitRate: number;
  @ApiProperty() optimalTtlSeconds: number;
  @ApiProperty() dailyRequests: number;
  @ApiProperty() dailyCacheHits: number;
  @ApiProperty({ type: [Number], description: '24 counts, UTC hour 0…23' }) hourlyRequests: number[];
  @ApiProperty({ type: [Number] }) hourlyHits: number[];
  @ApiProperty({ example: '2026-01-30' }) analysisDate: string;
  @ApiProperty({ format: 'date-time' }) calculatedAt: string;
}

export class HourlyUsageDto implements HourlyUsage {
  @ApiProperty() datasourceId: number;
  @ApiProperty({ format: 'date-time' }) hour: string;
  @ApiProperty() requests: number;
  @ApiProperty() hits: number;
  @ApiProperty({ type: Number, nullable: true }) hitRate: number | null;
  @ApiProperty({ type: Number, nullable: true }) avgQueryTimeMs: number | null;
}

export class RecommendationDto implements Recommendation {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) cacheStrategyId: string;
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ enum: RECOMMENDATION_TYPES }) recommendationType: RecommendationType;
  @ApiProperty({ enum: RECOMMENDATION_PRIORITIES }) priority: RecommendationPriority;
  @ApiProperty() recommendationDescription: string;
  @ApiProperty(jsonSchema('JsonObject', { description: 'The settings the recommendation would change, as they are' }))
  currentConfiguration: Record<string, unknown>;
  @ApiProperty(
    jsonSchema('JsonObject', {
      description: 'The settings it proposes (`warmSchedule`, `stalenessTtlSeconds`, an index definition …)',
    }),
  )
  recommendedConfiguration: Record<string, unknown>;
  @ApiProperty() estimatedImprovement: number;
  @ApiProperty({ example: 'peak_hit_rate_pct' }) improvementMetric: string;
  @ApiProperty({ enum: IMPLEMENTATION_STATUSES }) implementationStatus: ImplementationStatus;
  @ApiProperty({ example: 'warm-schedule' }) targetKey: string;
  @ApiProperty({ type: String, nullable: true }) approvedBy: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) approvedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) implementedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) implementationNotes: string | null;
  @ApiProperty() createdBy: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class RecommendationPageDto implements Paginated<Recommendation> {
  @ApiProperty({ type: [RecommendationDto] }) items: RecommendationDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

export class RecommendationGenerationResultDto implements RecommendationGenerationResult {
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty() created: number;
  @ApiProperty({ description: 'Rules that matched a target that already has an open recommendation' })
  alreadyOpen: number;
  @ApiProperty({ description: 'False when another replica was evaluating at that moment' }) ran: boolean;
}

class HitRateTrendPointDto {
  @ApiProperty({ example: '2026-01-30' }) date: string;
  @ApiProperty({ type: Number, nullable: true }) hitRate: number | null;
  @ApiProperty() requests: number;
}

export class DatasourceEfficiencyDto implements DatasourceEfficiency {
  @ApiProperty() datasourceId: number;
  @ApiProperty() name: string;
  @ApiProperty({ type: [HitRateTrendPointDto] }) hitRateTrend: HitRateTrendPointDto[];
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Percent over the last 24 hours (rolling); for now, read hitRate',
  })
  currentHitRate: number | null;
  @ApiProperty({ type: HitRateDto, description: 'The hit rate over the hit-rate window, as in the cache statistics' })
  hitRate: HitRateDto;
  @ApiProperty() memoryBytes: number;
  @ApiProperty() cacheHits: number;
  @ApiProperty({ type: Number, nullable: true }) memoryPerHitBytes: number | null;
  @ApiProperty() warmsInPeriod: number;
  @ApiProperty({ type: Number, nullable: true }) avgWarmSeconds: number | null;
  @ApiProperty() warmingCostSeconds: number;
  @ApiProperty() queriesServed: number;
  @ApiProperty({ type: Number, nullable: true }) queriesPerWarmingSecond: number | null;
  @ApiProperty({ enum: ['EFFICIENT', 'OK', 'WASTEFUL', 'UNUSED'] }) verdict: DatasourceEfficiency['verdict'];
}

export class EfficiencyReportDto implements EfficiencyReport {
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty() periodDays: number;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: [DatasourceEfficiencyDto] }) datasources: DatasourceEfficiencyDto[];
}
