import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import type { ColumnMapping, CreateDatasourceRequest, Datasource, UpdateDatasourceRequest } from '@ccc/shared-types';
import {
  CHANGE_DETECTION_MODES,
  CRON_MAX_LENGTH,
  DATASOURCE_LIMITS,
  SQL_IDENTIFIER_PATTERN,
  type ChangeDetection,
} from '@ccc/shared-types';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
  IsDefined,
} from 'class-validator';
import { IsCronExpression, IsSourceTableName } from './dto-rules.js';
import { MAX_TABLE_NAME_LENGTH } from './source-name.js';

/** A plain SQL identifier: the service builds its warming query from these, so nothing else may pass. */
const IDENTIFIER = SQL_IDENTIFIER_PATTERN;
const {
  nameMaxLength,
  descriptionMaxLength,
  stalenessTtlSeconds: TTL,
  minWarmIntervalSeconds: INTERVAL,
  fullRefreshEvery: FULL_EVERY,
} = DATASOURCE_LIMITS;
const identifierMessage = (field: string): string =>
  `${field} must be a plain column name (letters, digits, underscore)`;

export class ColumnMappingDto implements ColumnMapping {
  @ApiProperty({ example: 'measure' }) @Matches(IDENTIFIER, { message: identifierMessage('measure') }) measure: string;
  @ApiProperty({ example: 'practice_id' })
  @Matches(IDENTIFIER, { message: identifierMessage('practice') })
  practice: string;
  @ApiProperty({ example: 'provider_id' })
  @Matches(IDENTIFIER, { message: identifierMessage('provider') })
  provider: string;
  @ApiProperty({ example: 'frequency' })
  @Matches(IDENTIFIER, { message: identifierMessage('frequency') })
  frequency: string;
  @ApiProperty({ example: 'period_date' })
  @Matches(IDENTIFIER, { message: identifierMessage('period') })
  period: string;
  @ApiProperty({ example: 'value' }) @Matches(IDENTIFIER, { message: identifierMessage('value') }) value: string;
}

export class CreateDatasourceDto implements CreateDatasourceRequest {
  @ApiProperty({ example: 'Revenue Analytics', maxLength: nameMaxLength })
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(nameMaxLength)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: descriptionMaxLength })
  @IsOptional()
  @IsString()
  @MaxLength(descriptionMaxLength)
  description?: string | null;

  @ApiProperty({
    example: 'demo_analytics.revenue_facts',
    description: 'Schema-qualified table the rows are read from',
    maxLength: MAX_TABLE_NAME_LENGTH,
  })
  @IsString()
  @IsSourceTableName()
  sourceTable: string;

  @ApiProperty({ type: ColumnMappingDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => ColumnMappingDto)
  columnMapping: ColumnMappingDto;

  @ApiPropertyOptional({ minimum: TTL.min, maximum: TTL.max, default: TTL.default })
  @IsOptional()
  @IsInt()
  @Min(TTL.min)
  @Max(TTL.max)
  stalenessTtlSeconds?: number;

  @ApiPropertyOptional({ minimum: INTERVAL.min, maximum: INTERVAL.max, default: INTERVAL.default })
  @IsOptional()
  @IsInt()
  @Min(INTERVAL.min)
  @Max(INTERVAL.max)
  minWarmIntervalSeconds?: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '0 */4 * * *',
    description: 'Cron expression (5 or 6 fields) or null',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(CRON_MAX_LENGTH)
  @IsCronExpression()
  warmSchedule?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    enum: CHANGE_DETECTION_MODES,
    default: 'none',
    description:
      'How refreshes find changes: none (every refresh re-reads the source), watermark (only groups with rows past the watermark column are read again), cdc (logical replication)',
  })
  @IsOptional()
  @IsIn(CHANGE_DETECTION_MODES, { message: `changeDetection must be one of ${CHANGE_DETECTION_MODES.join(', ')}` })
  changeDetection?: ChangeDetection;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'updated_at',
    description: 'Timestamp, date or integer column set on every insert and update (required for watermark)',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(IDENTIFIER, { message: identifierMessage('watermarkColumn') })
  @MaxLength(63)
  watermarkColumn?: string | null;

  @ApiPropertyOptional({ minimum: FULL_EVERY.min, maximum: FULL_EVERY.max, default: FULL_EVERY.default })
  @IsOptional()
  @IsInt()
  @Min(FULL_EVERY.min)
  @Max(FULL_EVERY.max)
  fullRefreshEvery?: number;

  @ApiPropertyOptional({
    type: [String],
    example: ['primary', 'eu'],
    description: 'Redis regions (REDIS_REGIONS) warms write into; primary is always one of them',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  regions?: string[];
}

export class UpdateDatasourceDto extends PartialType(CreateDatasourceDto) implements UpdateDatasourceRequest {}

export class DatasourceDto implements Datasource {
  @ApiProperty() id: number;
  @ApiProperty({ format: 'uuid' }) strategyId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty() sourceTable: string;
  @ApiProperty({ type: ColumnMappingDto }) columnMapping: ColumnMappingDto;
  @ApiProperty() stalenessTtlSeconds: number;
  @ApiProperty() minWarmIntervalSeconds: number;
  @ApiProperty({ type: String, nullable: true }) warmSchedule: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: CHANGE_DETECTION_MODES }) changeDetection: ChangeDetection;
  @ApiProperty({ type: String, nullable: true }) watermarkColumn: string | null;
  @ApiProperty() fullRefreshEvery: number;
  @ApiProperty({ type: [String], description: 'Redis regions warms write into (primary first)' }) regions: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
