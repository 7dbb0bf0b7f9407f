import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import type { ColumnMapping, CreateDatasourceRequest, Datasource, UpdateDatasourceRequest } from '@ccc/shared-types';
import { Type } from 'class-transformer';
import {
  IsBoolean,
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
import { IsCronExpression } from './cron.js';
import { IsSourceTableName, MAX_TABLE_NAME_LENGTH } from './source-name.js';

/** A plain SQL identifier: the service builds its warming query from these, so nothing else may pass. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const identifierMessage = (field: string): string => `${field} must be a plain column name (letters, digits, underscore)`;

export class ColumnMappingDto implements ColumnMapping {
  @ApiProperty({ example: 'measure' }) @Matches(IDENTIFIER, { message: identifierMessage('measure') }) measure: string;
  @ApiProperty({ example: 'practice_id' }) @Matches(IDENTIFIER, { message: identifierMessage('practice') }) practice: string;
  @ApiProperty({ example: 'provider_id' }) @Matches(IDENTIFIER, { message: identifierMessage('provider') }) provider: string;
  @ApiProperty({ example: 'frequency' }) @Matches(IDENTIFIER, { message: identifierMessage('frequency') }) frequency: string;
  @ApiProperty({ example: 'period_date' }) @Matches(IDENTIFIER, { message: identifierMessage('period') }) period: string;
  @ApiProperty({ example: 'value' }) @Matches(IDENTIFIER, { message: identifierMessage('value') }) value: string;
}

export class CreateDatasourceDto implements CreateDatasourceRequest {
  @ApiProperty({ example: 'Revenue Analytics', maxLength: 200 })
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string | null;

  @ApiProperty({ example: 'demo_analytics.revenue_facts', description: 'Schema-qualified table the rows are read from', maxLength: MAX_TABLE_NAME_LENGTH })
  @IsString()
  @IsSourceTableName()
  sourceTable: string;

  @ApiProperty({ type: ColumnMappingDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => ColumnMappingDto)
  columnMapping: ColumnMappingDto;

  @ApiPropertyOptional({ minimum: 60, maximum: 30 * 86400, default: 14400 })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(30 * 86400)
  stalenessTtlSeconds?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 86400, default: 300 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86400)
  minWarmIntervalSeconds?: number;

  @ApiPropertyOptional({ type: String, nullable: true, example: '0 */4 * * *', description: 'Cron expression (5 or 6 fields) or null' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(100)
  @IsCronExpression()
  warmSchedule?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
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
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
