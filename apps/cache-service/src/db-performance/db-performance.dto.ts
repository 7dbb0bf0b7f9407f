import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  INDEX_TYPES,
  INDEX_USAGE_PATTERNS,
  MAINTENANCE_WINDOWS,
  type CreateIndexStrategyRequest,
  type IndexType,
  type IndexUsagePattern,
  type IndexUsageQuery,
  type MaintenanceWindow,
  type QueryPerformanceWindowQuery,
  type UpdateIndexStrategyRequest,
} from '@ccc/shared-types';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsSourceTableName } from '../datasources/dto-rules.js';
import { MAX_TABLE_NAME_LENGTH } from '../datasources/source-name.js';
import { jsonSchema } from '../common/openapi-json-schemas.js';

const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' || value === true ? true : value === 'false' || value === false ? false : value;

// ---------------------------------------------------------------------------------------------
// Query performance
// ---------------------------------------------------------------------------------------------

export class QueryPerformanceWindowDto implements QueryPerformanceWindowQuery {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'ISO timestamp; default 24 hours before `to`; the window spans at most 31 days',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'ISO timestamp; default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, description: 'Only queries of this datasource (404 when it does not exist)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class QueryHashParam {
  @ApiProperty({ description: 'SHA-256 of the normalised query (64 hex characters)' })
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'hash must be 64 hexadecimal characters' })
  hash: string;
}

export class QueryPerformanceEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'SHA-256 (64 hex) of the normalised query' }) queryHash: string;
  @ApiProperty({ description: 'The normalised query (literals replaced by ?)' }) queryPattern: string;
  @ApiProperty() executionTimeMs: number;
  @ApiProperty({ description: "The planner's estimate of rows read by the plan's scans" }) rowsExamined: number;
  @ApiProperty() rowsReturned: number;
  @ApiProperty({ type: [String], nullable: true }) indexesUsed: string[] | null;
  @ApiProperty(
    jsonSchema('ExplainPlan', { nullable: true, description: 'EXPLAIN (FORMAT JSON) output, kept for slow queries' }),
  )
  executionPlan: unknown | null;
  @ApiProperty() usedIndex: boolean;
  @ApiProperty() isSlowQuery: boolean;
  @ApiProperty() slowQueryThresholdMs: number;
  @ApiProperty() databaseUser: string;
  @ApiProperty({ type: String, nullable: true, example: 'warming:ds:3' }) applicationContext: string | null;
  @ApiProperty({ type: Number, nullable: true }) datasourceId: number | null;
  @ApiProperty() executedAt: string;
}

export class QueryPatternSummaryDto {
  @ApiProperty() queryHash: string;
  @ApiProperty() queryPattern: string;
  @ApiProperty() executions: number;
  @ApiProperty() totalTimeMs: number;
  @ApiProperty() avgTimeMs: number;
  @ApiProperty() maxTimeMs: number;
  @ApiProperty() slowExecutions: number;
  @ApiProperty() lastExecutedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Index management
// ---------------------------------------------------------------------------------------------

export class CreateIndexStrategyDto implements CreateIndexStrategyRequest {
  @ApiProperty({
    example: 'demo_analytics.revenue_facts',
    description: 'Schema-qualified source table of a registered datasource',
    maxLength: MAX_TABLE_NAME_LENGTH,
  })
  @IsString()
  @IsSourceTableName()
  tableName: string;

  @ApiProperty({ example: 'idx_revenue_facts_practice', description: 'Identifier of at most 63 bytes' })
  @IsString()
  @MaxLength(63)
  indexName: string;

  @ApiProperty({ enum: INDEX_TYPES })
  @IsIn(INDEX_TYPES)
  indexType: IndexType;

  @ApiProperty({
    type: [String],
    example: ['practice_id', 'period_date'],
    description: "Column names; FUNCTIONAL also lower(col), upper(col), date_trunc('month', col)",
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  columns: string[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: "frequency = 'Monthly' AND value IS NOT NULL",
    description: 'PARTIAL only: column op literal / column IS [NOT] NULL, joined by AND',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(1000)
  whereClause?: string | null;

  @ApiProperty({ enum: INDEX_USAGE_PATTERNS })
  @IsIn(INDEX_USAGE_PATTERNS)
  usagePattern: IndexUsagePattern;

  @ApiProperty({ enum: MAINTENANCE_WINDOWS })
  @IsIn(MAINTENANCE_WINDOWS)
  maintenanceWindow: MaintenanceWindow;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'SCHEDULED only: ISO timestamp in the future',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsISO8601({ strict: true })
  scheduledAt?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  isMonitoring?: boolean;
}

export class UpdateIndexStrategyDto implements UpdateIndexStrategyRequest {
  @ApiPropertyOptional({ enum: INDEX_USAGE_PATTERNS })
  @IsOptional()
  @IsIn(INDEX_USAGE_PATTERNS)
  usagePattern?: IndexUsagePattern;

  @ApiPropertyOptional({ enum: MAINTENANCE_WINDOWS })
  @IsOptional()
  @IsIn(MAINTENANCE_WINDOWS)
  maintenanceWindow?: MaintenanceWindow;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsISO8601({ strict: true })
  scheduledAt?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isMonitoring?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class IndexListQueryDto {
  @ApiPropertyOptional({ example: 'demo_analytics.revenue_facts' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tableName?: string;
}

export class DeleteIndexQueryDto {
  @ApiPropertyOptional({ description: 'Required when the index exists in PostgreSQL: drop it (concurrently) too' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  dropIndex?: boolean;
}

export class IndexUsageQueryDto implements IndexUsageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  indexStrategyId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tableName?: string;

  @ApiPropertyOptional({
    description: 'YYYY-MM-DD or ISO timestamp (its UTC day), inclusive; default 89 days before `to` (at most 366 days)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'YYYY-MM-DD or ISO timestamp (its UTC day), inclusive; default today' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class IndexUsageStatsDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) indexStrategyId: string;
  @ApiProperty() tableName: string;
  @ApiProperty() indexName: string;
  @ApiProperty() totalScans: number;
  @ApiProperty() totalTuplesRead: number;
  @ApiProperty() totalTuplesFetched: number;
  @ApiProperty() avgScanTimeMs: number;
  @ApiProperty() selectivityRatio: number;
  @ApiProperty() indexSizeBytes: number;
  @ApiProperty({ description: 'size in MB × table writes / (scans + 1)' }) maintenanceCostScore: number;
  @ApiProperty() isRecommendedForDrop: boolean;
  @ApiProperty() isUnique: boolean;
  @ApiProperty() isPrimary: boolean;
  @ApiProperty({ example: '2026-03-04' }) statsDate: string;
  @ApiProperty() lastAnalyzed: string;
}

export class IndexStrategyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() tableName: string;
  @ApiProperty() indexName: string;
  @ApiProperty({ enum: INDEX_TYPES }) indexType: IndexType;
  @ApiProperty() indexDefinition: string;
  @ApiProperty({ type: [String] }) columns: string[];
  @ApiProperty({ type: String, nullable: true }) whereClause: string | null;
  @ApiProperty({ enum: INDEX_USAGE_PATTERNS }) usagePattern: IndexUsagePattern;
  @ApiProperty({ enum: MAINTENANCE_WINDOWS }) maintenanceWindow: MaintenanceWindow;
  @ApiProperty({ type: String, nullable: true }) scheduledAt: string | null;
  @ApiProperty() isCreated: boolean;
  @ApiProperty() isMonitoring: boolean;
  @ApiProperty({ type: String, nullable: true }) applyRequestedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) createdInDatabaseAt: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty() discovered: boolean;
  @ApiProperty({ description: 'The service built this index; only such indexes may be dropped here' })
  builtByService: boolean;
  @ApiProperty() createdBy: string;
  @ApiProperty({ type: String, nullable: true }) updatedBy: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ type: IndexUsageStatsDto, nullable: true }) latestUsage: IndexUsageStatsDto | null;
}

export class ApplyIndexResultDto {
  @ApiProperty({ enum: ['created', 'deferred', 'exists'] }) status: 'created' | 'deferred' | 'exists';
  @ApiProperty({ type: String, nullable: true }) windowOpensAt: string | null;
  @ApiProperty({ type: IndexStrategyDto }) strategy: IndexStrategyDto;
}

export class IndexCollectionResultDto {
  @ApiProperty() collectedAt: string;
  @ApiProperty() indexes: number;
  @ApiProperty() discovered: number;
  @ApiProperty() flaggedForDrop: number;
  @ApiProperty() ran: boolean;
}
