import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CRON_MAX_LENGTH,
  JOB_STATUSES,
  WARMING_TYPES,
  type ActiveWarmingJob,
  type CacheHealth,
  type CacheHealthResponse,
  type CacheStatsResponse,
  type DatasourceCacheDetails,
  type DatasourceCacheMetrics,
  type InvalidateResponse,
  type JobStatus,
  type OverallCacheHealth,
  type RecentWarmingJob,
  type SelectiveInvalidateRequest,
  type UpdateWarmScheduleRequest,
  type WarmingJob,
  type WarmingJobQuery,
  type WarmingStatusResponse,
  type WarmingType,
  type WarmRequest,
  type WarmResponse,
  type WarmSchedule,
} from '@ccc/shared-types';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../common/pagination.dto.js';
import { IsCronExpression } from '../datasources/cron.js';

const DIMENSION = { minLength: 1, maxLength: 200 };

export class WarmRequestDto implements WarmRequest {
  @ApiPropertyOptional({ minimum: 1, description: 'Omit to warm every enabled datasource' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number;

  @ApiPropertyOptional({ description: 'Warm even if warmed within the minimum interval' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class InvalidateRequestDto implements SelectiveInvalidateRequest {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  datasourceId: number;

  @ApiPropertyOptional({ description: 'Only entries of this measure (selective invalidation)' })
  @IsOptional() @IsString() @MinLength(DIMENSION.minLength) @MaxLength(DIMENSION.maxLength)
  measure?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MinLength(DIMENSION.minLength) @MaxLength(DIMENSION.maxLength)
  practice?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MinLength(DIMENSION.minLength) @MaxLength(DIMENSION.maxLength)
  provider?: string;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MinLength(DIMENSION.minLength) @MaxLength(DIMENSION.maxLength)
  frequency?: string;
}

export class WarmingJobQueryDto extends PageQueryDto implements WarmingJobQuery {
  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2_147_483_647)
  datasourceId?: number;

  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional() @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional() @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional() @IsISO8601()
  to?: string;
}

export class UpdateWarmScheduleDto implements UpdateWarmScheduleRequest {
  @ApiProperty({ type: String, nullable: true, example: '0 */4 * * *', description: 'Cron expression (UTC), or null to stop scheduled warming' })
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(CRON_MAX_LENGTH)
  @IsCronExpression()
  cron: string | null;
}

export class JobIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  jobId: string;
}

export class DatasourceIdParam {
  @ApiProperty({ minimum: 1 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  datasourceId: number;
}

class CacheSummaryDto {
  @ApiProperty() totalDatasources: number;
  @ApiProperty() warmDatasources: number;
  @ApiProperty() coldDatasources: number;
  @ApiProperty() totalCacheEntries: number;
  @ApiProperty() totalIndexes: number;
  @ApiProperty() totalMemoryMB: number;
  @ApiProperty() overallCacheHitRate: number;
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
  @ApiProperty({ description: 'Percent, 0–100' }) cacheHitRate: number;
  @ApiProperty({ description: 'Queries since the last warm' }) totalQueries: number;
  @ApiProperty({ enum: ['excellent', 'good', 'degraded', 'stale', 'cold'] }) health: CacheHealth;
  @ApiProperty({ type: String, isArray: true }) warnings: string[];
}

export class CacheStatsResponseDto implements CacheStatsResponse {
  @ApiProperty({ type: CacheSummaryDto }) summary: CacheSummaryDto;
  @ApiProperty({ type: DatasourceCacheMetricsDto, isArray: true }) datasources: DatasourceCacheMetricsDto[];
}

class WarmResultDto {
  @ApiProperty() datasourceId: number;
  @ApiProperty({ enum: ['queued', 'already_warming', 'skipped'] }) status: 'queued' | 'already_warming' | 'skipped';
  @ApiProperty({ type: String, nullable: true }) jobId: string | null;
  @ApiPropertyOptional() reason?: string;
}

export class WarmResponseDto implements WarmResponse {
  @ApiProperty({ description: 'The first queued job (or the running one)' }) jobId: string;
  @ApiProperty({ type: Number, isArray: true }) datasourcesQueued: number[];
  @ApiProperty({ description: 'Seconds' }) estimatedDuration: number;
  @ApiProperty({ type: WarmResultDto, isArray: true }) results: WarmResultDto[];
}

class ActiveWarmingJobDto implements ActiveWarmingJob {
  @ApiProperty() jobId: string;
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty() progress: number;
  @ApiProperty() rowsProcessed: number;
  @ApiProperty() rowsTotal: number;
  @ApiProperty() etaSeconds: number;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
}

class RecentWarmingJobDto implements RecentWarmingJob {
  @ApiProperty() jobId: string;
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time' }) completedAt: string;
  @ApiProperty({ description: 'Seconds' }) duration: number;
  @ApiProperty() entriesCached: number;
  @ApiProperty() success: boolean;
  @ApiPropertyOptional() error?: string;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
}

export class WarmingStatusResponseDto implements WarmingStatusResponse {
  @ApiProperty({ type: ActiveWarmingJobDto, isArray: true }) activeJobs: ActiveWarmingJobDto[];
  @ApiProperty({ type: RecentWarmingJobDto, isArray: true }) recentJobs: RecentWarmingJobDto[];
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
}

export class WarmingJobPageDto {
  @ApiProperty({ type: WarmingJobDto, isArray: true }) items: WarmingJobDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

export class WarmScheduleDto implements WarmSchedule {
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ type: String, nullable: true }) cron: string | null;
  @ApiProperty({ type: String, isArray: true }) nextRuns: string[];
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

export class DatasourceCacheDetailsDto implements DatasourceCacheDetails {
  @ApiProperty({ type: DatasourceCacheMetricsDto }) metrics: DatasourceCacheMetricsDto;
  @ApiProperty({ type: Number, nullable: true }) generation: number | null;
  @ApiProperty({ type: MeasureFrequencyCountDto, isArray: true }) entriesByMeasureFrequency: MeasureFrequencyCountDto[];
  @ApiProperty({ type: WarmingJobDto, isArray: true }) recentJobs: WarmingJobDto[];
}

class AnalyticsEntryDto {
  @ApiProperty() measure: string;
  @ApiProperty() practice: string;
  @ApiProperty() provider: string;
  @ApiProperty() frequency: string;
  @ApiProperty({ type: 'array', description: '[period, value] pairs', items: { type: 'array', minItems: 2, maxItems: 2, items: { anyOf: [{ type: 'string' }, { type: 'number', nullable: true }] } } }) rows: Array<[string, number]>;
}

export class AnalyticsQueryResponseDto {
  @ApiProperty() datasourceId: number;
  @ApiProperty({ enum: ['cache', 'database'] }) source: 'cache' | 'database';
  @ApiProperty({ type: Number, nullable: true }) generation: number | null;
  @ApiProperty({ type: AnalyticsEntryDto, isArray: true }) entries: AnalyticsEntryDto[];
}
