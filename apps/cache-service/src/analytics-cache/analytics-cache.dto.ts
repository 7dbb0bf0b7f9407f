import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  JOB_STATUSES,
  REFRESH_KINDS,
  WARMING_TYPES,
  type CacheHealth,
  type ChangeCaptureStatus,
  type CacheHealthResponse,
  type CacheStatsResponse,
  type DatasourceCacheDetails,
  type DatasourceCacheMetrics,
  type DatasourceRegionStatus,
  type HitRate,
  type InvalidateResponse,
  type JobStatus,
  type OverallCacheHealth,
  type PreviousGeneration,
  type RollbackResponse,
  type RefreshKind,
  type RegionWarmResult,
  type SelectiveInvalidateRequest,
  type WarmingJob,
  type WarmingType,
} from '@ccc/shared-types';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

const DIMENSION = { minLength: 1, maxLength: 200 };

export class InvalidateRequestDto implements SelectiveInvalidateRequest {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  datasourceId: number;

  @ApiPropertyOptional({ description: 'Only entries of this measure (selective invalidation)' })
  @IsOptional()
  @IsString()
  @MinLength(DIMENSION.minLength)
  @MaxLength(DIMENSION.maxLength)
  measure?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(DIMENSION.minLength)
  @MaxLength(DIMENSION.maxLength)
  practice?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(DIMENSION.minLength)
  @MaxLength(DIMENSION.maxLength)
  provider?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(DIMENSION.minLength)
  @MaxLength(DIMENSION.maxLength)
  frequency?: string;
}

export class HitRateDto implements HitRate {
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 100,
    description: 'Percent of query-API requests answered from the cache in the window; null without traffic',
  })
  percent: number | null;
  @ApiProperty({ minimum: 0 }) hits: number;
  @ApiProperty({ minimum: 0 }) requests: number;
  @ApiProperty({ example: 15 }) windowMinutes: number;
  @ApiProperty({ example: 'last 15 min' }) window: string;
}

class CacheSummaryDto {
  @ApiProperty() totalDatasources: number;
  @ApiProperty() warmDatasources: number;
  @ApiProperty() coldDatasources: number;
  @ApiProperty() totalCacheEntries: number;
  @ApiProperty() totalIndexes: number;
  @ApiProperty() totalMemoryMB: number;
  @ApiProperty({ description: 'Percent, 0–100: hitRate.percent, or 0 without traffic in the window' })
  overallCacheHitRate: number;
  @ApiProperty({ type: HitRateDto, description: 'All datasources together over the hit-rate window' })
  hitRate: HitRateDto;
}

export class DatasourceCacheMetricsDto implements DatasourceCacheMetrics {
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty() isWarm: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastWarmed: string | null;
  @ApiProperty() ageMinutes: number;
  @ApiProperty() totalEntries: number;
  @ApiProperty() indexCount: number;
  @ApiProperty() estimatedMemoryMB: number;
  @ApiProperty() uniqueMeasures: number;
  @ApiProperty() uniquePractices: number;
  @ApiProperty() uniqueProviders: number;
  @ApiProperty({ type: String, isArray: true }) uniqueFrequencies: string[];
  @ApiProperty() avgQueryTimeMs: number;
  @ApiProperty({ description: 'Percent, 0–100: hitRate.percent, or 0 without traffic in the window' })
  cacheHitRate: number;
  @ApiProperty({ description: 'Queries since the last warm' }) totalQueries: number;
  @ApiProperty({ enum: ['excellent', 'good', 'degraded', 'stale', 'cold'] }) health: CacheHealth;
  @ApiProperty({ type: String, isArray: true }) warnings: string[];
  @ApiProperty({ type: HitRateDto }) hitRate: HitRateDto;
}

export class CacheStatsResponseDto implements CacheStatsResponse {
  @ApiProperty({ type: CacheSummaryDto }) summary: CacheSummaryDto;
  @ApiProperty({ type: DatasourceCacheMetricsDto, isArray: true }) datasources: DatasourceCacheMetricsDto[];
}

export class WarmingJobDto implements WarmingJob {
  @ApiProperty({ format: 'uuid' }) jobId: string;
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({ enum: WARMING_TYPES }) warmingType: WarmingType;
  @ApiProperty() progress: number;
  @ApiProperty() rowsProcessed: number;
  @ApiProperty() rowsTotal: number;
  @ApiProperty() entriesWritten: number;
  @ApiProperty({ type: Number, nullable: true }) etaSeconds: number | null;
  @ApiProperty({ format: 'date-time' }) scheduledAt: string;
  @ApiProperty({ type: String, nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) completedAt: string | null;
  @ApiProperty({ type: Number, nullable: true }) durationSeconds: number | null;
  @ApiProperty({ type: String, nullable: true }) failureReason: string | null;
  @ApiProperty({ type: Number, nullable: true }) generation: number | null;
  @ApiProperty() createdBy: string;
  @ApiProperty({ type: String, enum: REFRESH_KINDS, nullable: true, description: 'Which kind ran; null until decided' })
  refreshKind: RefreshKind | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why a full warm ran where an incremental one was asked for or possible',
  })
  refreshReason: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Groups (entries) read from the source again' })
  groupsRewritten: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Entries carried over inside Redis (incremental)' })
  groupsCarried: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Groups the source no longer has (incremental)' })
  groupsDeleted: number | null;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { $ref: '#/components/schemas/RegionWarmResultDto' },
    description: 'Per Redis region, how the warm went (null for datasources warmed into primary only)',
  })
  regionResults: Record<string, RegionWarmResultDto> | null;
}

export class RegionWarmResultDto implements RegionWarmResult {
  @ApiProperty({ enum: ['ok', 'failed'] }) status: 'ok' | 'failed';
  @ApiProperty({ type: Number, nullable: true, description: 'The region’s own generation number' })
  generation: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class DatasourceRegionStatusDto implements DatasourceRegionStatus {
  @ApiProperty() region: string;
  @ApiProperty({ description: 'Whether the datasource is warmed into this region' }) warmed: boolean;
  @ApiProperty() reachable: boolean;
  @ApiProperty({ type: Number, nullable: true }) generation: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastWarmed: string | null;
  @ApiProperty() entries: number;
  @ApiProperty() memoryBytes: number;
  @ApiProperty({ type: String, nullable: true }) jobId: string | null;
  @ApiProperty({ type: RegionWarmResultDto, nullable: true }) lastResult: RegionWarmResultDto | null;
  @ApiProperty({ description: 'Whether the region holds the same warm as primary' }) upToDate: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds its data is older than primary’s' })
  lagSeconds: number | null;
}

export class InvalidateResponseDto implements InvalidateResponse {
  @ApiProperty() keysDeleted: number;
  @ApiProperty() indexesDeleted: number;
  @ApiProperty() memoryFreedMB: number;
}

class HealthIssueDto {
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ enum: ['warning', 'error'] }) severity: 'warning' | 'error';
  @ApiProperty() issue: string;
  @ApiProperty() recommendation: string;
}

export class CacheHealthResponseDto implements CacheHealthResponse {
  @ApiProperty({ enum: ['excellent', 'good', 'degraded', 'critical'] }) overall: OverallCacheHealth;
  @ApiProperty({ type: HealthIssueDto, isArray: true }) issues: HealthIssueDto[];
  @ApiProperty({ type: String, isArray: true }) recommendations: string[];
}

class MeasureFrequencyCountDto {
  @ApiProperty() measure: string;
  @ApiProperty() frequency: string;
  @ApiProperty() entries: number;
}

export class PreviousGenerationDto implements PreviousGeneration {
  @ApiProperty() generation: number;
  @ApiProperty() entries: number;
  @ApiProperty() rows: number;
  @ApiProperty() indexCount: number;
  @ApiProperty({ description: 'Estimated Redis memory of its entries' }) estimatedMemoryMB: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was warmed' })
  lastWarmed: string | null;
  @ApiProperty({ format: 'date-time', description: 'When a swap replaced it' }) retiredAt: string;
  @ApiProperty({ format: 'date-time', description: 'When it is deleted unless a rollback makes it live first' })
  expiresAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'The warm that wrote it' }) jobId: string | null;
}

export class RollbackResponseDto implements RollbackResponse {
  @ApiProperty() datasourceId: number;
  @ApiProperty({ description: 'The live generation now (the one rolled back to)' }) generation: number;
  @ApiProperty({ description: 'The generation rolled back from' }) rolledBackFrom: number;
  @ApiProperty({
    type: PreviousGenerationDto,
    nullable: true,
    description: 'What is retained now: the generation rolled back from (roll forward by rolling back again), or null',
  })
  previousGeneration: PreviousGenerationDto | null;
}

class ChangeCaptureIncidentDto {
  @ApiProperty({ enum: ['slot_dropped', 'slot_lagging'] }) kind: 'slot_dropped' | 'slot_lagging';
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ description: 'WAL the slot retained when it was given up (0 for a dropped slot)' }) lagBytes: number;
}

class ChangeCaptureStatusDto implements ChangeCaptureStatus {
  @ApiProperty({ example: 'ccc_ds_1', description: 'Name of the replication slot and of the publication' })
  slotName: string;
  @ApiProperty() slotExists: boolean;
  @ApiProperty({ description: 'A worker streams the slot' }) active: boolean;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'WAL the slot retains on the source, in bytes (current WAL position − confirmed position)',
  })
  lagBytes: number | null;
  @ApiProperty({ description: 'CDC_MAX_LAG_BYTES: beyond it the backlog is replaced by a full warm' })
  maxLagBytes: number;
  @ApiProperty({ type: ChangeCaptureIncidentDto, nullable: true }) lastIncident: ChangeCaptureIncidentDto | null;
}

export class DatasourceCacheDetailsDto implements DatasourceCacheDetails {
  @ApiProperty({ type: DatasourceCacheMetricsDto }) metrics: DatasourceCacheMetricsDto;
  @ApiProperty({ type: Number, nullable: true }) generation: number | null;
  @ApiProperty({ type: MeasureFrequencyCountDto, isArray: true }) entriesByMeasureFrequency: MeasureFrequencyCountDto[];
  @ApiProperty({ type: WarmingJobDto, isArray: true }) recentJobs: WarmingJobDto[];
  @ApiProperty({
    type: PreviousGenerationDto,
    nullable: true,
    description:
      'The generation the last refresh (or rollback) replaced, kept for a rollback; null when none is retained',
  })
  previousGeneration: PreviousGenerationDto | null;
  @ApiProperty({
    type: ChangeCaptureStatusDto,
    nullable: true,
    required: false,
    description: "The replication slot of a datasource in changeDetection 'cdc'; null in the other modes",
  })
  changeCapture?: ChangeCaptureStatusDto | null;
}

class AnalyticsEntryDto {
  @ApiProperty() measure: string;
  @ApiProperty() practice: string;
  @ApiProperty() provider: string;
  @ApiProperty() frequency: string;
  @ApiProperty({
    type: 'array',
    description: '[period, value] pairs',
    items: {
      type: 'array',
      minItems: 2,
      maxItems: 2,
      items: { anyOf: [{ type: 'string' }, { type: 'number', nullable: true }] },
    },
  })
  rows: Array<[string, number]>;
}

export class AnalyticsQueryResponseDto {
  @ApiProperty() datasourceId: number;
  @ApiProperty({ enum: ['cache', 'database'] }) source: 'cache' | 'database';
  @ApiProperty({ type: Number, nullable: true }) generation: number | null;
  @ApiProperty({ type: AnalyticsEntryDto, isArray: true }) entries: AnalyticsEntryDto[];
  @ApiPropertyOptional({ description: 'The Redis region that answered; absent when the database did' })
  region?: string;
}
