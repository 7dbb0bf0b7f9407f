import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CRON_MAX_LENGTH,
  JOB_STATUSES,
  REFRESH_KINDS,
  REQUESTED_REFRESHES,
  type ActiveWarmingJob,
  type JobStatus,
  type RecentWarmingJob,
  type RefreshKind,
  type RequestedRefresh,
  type UpdateWarmScheduleRequest,
  type WarmingJobQuery,
  type WarmingStatusResponse,
  type WarmRequest,
  type WarmResponse,
  type WarmSchedule,
} from '@ccc/shared-types';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { WarmingJobDto } from '../analytics-cache/analytics-cache.dto.js';
import { PageQueryDto } from '../common/pagination.dto.js';
import { IsCronExpression } from '../datasources/dto-rules.js';

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

  @ApiPropertyOptional({
    enum: REQUESTED_REFRESHES,
    default: 'auto',
    description:
      'full: re-read the whole source; incremental: only groups changed since the live generation (datasources with change detection; falls back to full, saying why, when the cache is no trustworthy base); auto: incremental when possible',
  })
  @IsOptional()
  @IsIn(REQUESTED_REFRESHES, { message: `refresh must be one of ${REQUESTED_REFRESHES.join(', ')}` })
  refresh?: RequestedRefresh;
}

export class WarmingJobQueryDto extends PageQueryDto implements WarmingJobQuery {
  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number;

  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601()
  to?: string;
}

export class UpdateWarmScheduleDto implements UpdateWarmScheduleRequest {
  @ApiProperty({
    type: String,
    nullable: true,
    example: '0 */4 * * *',
    description: 'Cron expression (UTC), or null to stop scheduled warming',
  })
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

class WarmResultDto {
  @ApiProperty() datasourceId: number;
  @ApiProperty({ enum: ['queued', 'already_warming', 'skipped'] }) status: 'queued' | 'already_warming' | 'skipped';
  @ApiProperty({ type: String, nullable: true }) jobId: string | null;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional({ description: 'Skipped within the minimum warm interval only: seconds until it has passed' })
  retryAfterSeconds?: number;
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
  @ApiPropertyOptional({ type: String, enum: REFRESH_KINDS, nullable: true }) refreshKind?: RefreshKind | null;
}

export class WarmingStatusResponseDto implements WarmingStatusResponse {
  @ApiProperty({ type: ActiveWarmingJobDto, isArray: true }) activeJobs: ActiveWarmingJobDto[];
  @ApiProperty({ type: RecentWarmingJobDto, isArray: true }) recentJobs: RecentWarmingJobDto[];
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
