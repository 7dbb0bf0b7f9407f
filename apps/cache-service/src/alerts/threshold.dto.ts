import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import type {
  CreateThresholdRequest,
  PerformanceThreshold,
  ThresholdDirection,
  ThresholdMetricType,
  ThresholdUnit,
  UpdateThresholdRequest,
} from '@ccc/shared-types';
import { THRESHOLD_LEVEL, THRESHOLD_METRIC_TYPES, THRESHOLD_UNITS } from '@ccc/shared-types';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsSourceTableName } from '../datasources/dto-rules.js';
import { jsonSchema } from '../common/openapi-json-schemas.js';

// DECIMAL(18,4): four decimal places, so the smallest positive level is 0.0001 (a smaller one would round to 0).
const { min: MIN_LEVEL, max: MAX_LEVEL } = THRESHOLD_LEVEL;
const level = (field: string) => ({
  message: `${field} must be a number of at least ${MIN_LEVEL} with at most 4 decimal places`,
});

export class CreateThresholdDto implements CreateThresholdRequest {
  @ApiProperty({ enum: THRESHOLD_METRIC_TYPES })
  @IsIn(THRESHOLD_METRIC_TYPES, { message: `metricType must be one of ${THRESHOLD_METRIC_TYPES.join(', ')}` })
  metricType: ThresholdMetricType;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 100,
    description: "Table-scoped metrics and QUERY_TIME only: a registered datasource's source table",
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @IsSourceTableName()
  tableName?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Datasource-scoped metrics only; null = every datasource',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt({ message: 'datasourceId must be an integer' })
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number | null;

  @ApiProperty({ example: 60, minimum: 0.0001 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 4 }, level('warningThreshold'))
  @Min(MIN_LEVEL, level('warningThreshold'))
  @Max(MAX_LEVEL)
  warningThreshold: number;

  @ApiProperty({
    example: 30,
    minimum: 0.0001,
    description: 'At least as bad as the warning level: ≥ it for ABOVE metrics, ≤ it for BELOW metrics',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 4 }, level('criticalThreshold'))
  @Min(MIN_LEVEL, level('criticalThreshold'))
  @Max(MAX_LEVEL)
  criticalThreshold: number;

  @ApiPropertyOptional({ enum: THRESHOLD_UNITS, description: "Defaults to the metric's unit; another unit is refused" })
  @IsOptional()
  @IsIn(THRESHOLD_UNITS, { message: `thresholdUnit must be one of ${THRESHOLD_UNITS.join(', ')}` })
  thresholdUnit?: ThresholdUnit;

  @ApiPropertyOptional({
    default: true,
    description:
      'False silences the metric (a datasource-specific threshold that is disabled silences the global one for that datasource)',
  })
  @IsOptional()
  @IsBoolean()
  alertEnabled?: boolean;

  @ApiPropertyOptional(
    jsonSchema('JsonObject', { nullable: true, description: 'Free-form settings kept with the threshold' }),
  )
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsObject()
  alertConfiguration?: Record<string, unknown> | null;
}

/** Every field of a create but the metric (a threshold's metric does not change), all optional, plus isActive. */
export class UpdateThresholdDto
  extends PartialType(OmitType(CreateThresholdDto, ['metricType'] as const))
  implements UpdateThresholdRequest
{
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class ThresholdListQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Also list deleted (inactive) thresholds' })
  @IsOptional()
  @Transform(({ value }) =>
    value === 'true' || value === true ? true : value === 'false' || value === false ? false : value,
  )
  @IsBoolean({ message: 'includeInactive must be true or false' })
  includeInactive?: boolean;
}

export class ThresholdDto implements PerformanceThreshold {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: THRESHOLD_METRIC_TYPES }) metricType: ThresholdMetricType;
  @ApiProperty({ type: String, nullable: true }) tableName: string | null;
  @ApiProperty({ type: Number, nullable: true }) datasourceId: number | null;
  @ApiProperty() warningThreshold: number;
  @ApiProperty() criticalThreshold: number;
  @ApiProperty({ enum: THRESHOLD_UNITS }) thresholdUnit: ThresholdUnit;
  @ApiProperty({ enum: ['ABOVE', 'BELOW'] }) direction: ThresholdDirection;
  @ApiProperty() alertEnabled: boolean;
  @ApiProperty(jsonSchema('JsonObject', { nullable: true, description: 'Free-form settings kept with the threshold' }))
  alertConfiguration: Record<string, unknown> | null;
  @ApiProperty({ format: 'uuid' }) createdBy: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) updatedBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty() isActive: boolean;
}
