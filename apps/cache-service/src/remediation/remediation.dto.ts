import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import type {
  CacheAlertType,
  CreateRemediationRuleRequest,
  JobStatus,
  RemediationAction,
  RemediationActionQuery,
  RemediationActionType,
  RemediationMinSeverity,
  RemediationOutcome,
  RemediationRule,
  UpdateRemediationRuleRequest,
} from '@ccc/shared-types';
import {
  CACHE_ALERT_TYPES,
  JOB_STATUSES,
  REMEDIATION_ACTION_TYPES,
  REMEDIATION_LIMITS,
  REMEDIATION_MIN_SEVERITIES,
  REMEDIATION_OUTCOMES,
} from '@ccc/shared-types';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { jsonSchema } from '../common/openapi-json-schemas.js';
import { PageQueryDto } from '../common/pagination.dto.js';

const { cooldownSeconds, maxFailedAttempts, ttlFactor, maxTtlSeconds, nameMaxLength } = REMEDIATION_LIMITS;
const oneOf = (field: string, values: readonly string[]) => ({
  message: `${field} must be one of ${values.join(', ')}`,
});
const between = (field: string, min: number, max: number) => ({
  message: `${field} must be a whole number from ${min} to ${max}`,
});

export class CreateRemediationRuleDto implements CreateRemediationRuleRequest {
  @ApiProperty({ maxLength: nameMaxLength, example: 'Warm on low hit rate' })
  @IsString()
  @MaxLength(nameMaxLength)
  // Printable text only: the name is shown in the dashboard, the audit trail and the alert's timeline.
  @Matches(/^[^\p{Cc}]*\S[^\p{Cc}]*$/u, { message: 'name must be non-blank text without control characters' })
  name: string;

  @ApiProperty({ enum: CACHE_ALERT_TYPES })
  @IsIn(CACHE_ALERT_TYPES, oneOf('alertType', CACHE_ALERT_TYPES))
  alertType: CacheAlertType;

  @ApiPropertyOptional({ enum: REMEDIATION_MIN_SEVERITIES, default: 'WARNING' })
  @IsOptional()
  @IsIn(REMEDIATION_MIN_SEVERITIES, oneOf('minSeverity', REMEDIATION_MIN_SEVERITIES))
  minSeverity?: RemediationMinSeverity;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'null = every datasource' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt({ message: 'datasourceId must be an integer' })
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number | null;

  @ApiProperty({ enum: REMEDIATION_ACTION_TYPES })
  @IsIn(REMEDIATION_ACTION_TYPES, oneOf('action', REMEDIATION_ACTION_TYPES))
  action: RemediationActionType;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: ttlFactor.min,
    maximum: ttlFactor.max,
    description: 'RAISE_STALENESS_TTL only (required there): the factor the staleness TTL is multiplied by',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsNumber(
    { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 },
    { message: `ttlFactor must be a number from ${ttlFactor.min} to ${ttlFactor.max} with at most 2 decimals` },
  )
  @Min(ttlFactor.min, { message: `ttlFactor must be at least ${ttlFactor.min}` })
  @Max(ttlFactor.max, { message: `ttlFactor must be at most ${ttlFactor.max}` })
  ttlFactor?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: maxTtlSeconds.min,
    maximum: maxTtlSeconds.max,
    description: 'RAISE_STALENESS_TTL only (required there): the TTL is never raised beyond this',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt(between('maxTtlSeconds', maxTtlSeconds.min, maxTtlSeconds.max))
  @Min(maxTtlSeconds.min, between('maxTtlSeconds', maxTtlSeconds.min, maxTtlSeconds.max))
  @Max(maxTtlSeconds.max, between('maxTtlSeconds', maxTtlSeconds.min, maxTtlSeconds.max))
  maxTtlSeconds?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 32,
    example: 'eu',
    description: 'INVALIDATE_REGION only (required there): a Redis region of REDIS_REGIONS',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString({ message: 'region must be a region name' })
  @MaxLength(32, { message: 'region must be at most 32 characters' })
  region?: string | null;

  @ApiPropertyOptional({ minimum: cooldownSeconds.min, maximum: cooldownSeconds.max, default: 900 })
  @IsOptional()
  @IsInt(between('cooldownSeconds', cooldownSeconds.min, cooldownSeconds.max))
  @Min(cooldownSeconds.min, between('cooldownSeconds', cooldownSeconds.min, cooldownSeconds.max))
  @Max(cooldownSeconds.max, between('cooldownSeconds', cooldownSeconds.min, cooldownSeconds.max))
  cooldownSeconds?: number;

  @ApiPropertyOptional({ minimum: maxFailedAttempts.min, maximum: maxFailedAttempts.max, default: 3 })
  @IsOptional()
  @IsInt(between('maxFailedAttempts', maxFailedAttempts.min, maxFailedAttempts.max))
  @Min(maxFailedAttempts.min, between('maxFailedAttempts', maxFailedAttempts.min, maxFailedAttempts.max))
  @Max(maxFailedAttempts.max, between('maxFailedAttempts', maxFailedAttempts.min, maxFailedAttempts.max))
  maxFailedAttempts?: number;

  @ApiPropertyOptional({ default: false, description: 'Record what the rule would do without doing it' })
  @IsOptional()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;
}

export class UpdateRemediationRuleDto
  extends PartialType(CreateRemediationRuleDto)
  implements UpdateRemediationRuleRequest {}

export class RemediationRuleDto implements RemediationRule {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: CACHE_ALERT_TYPES }) alertType: CacheAlertType;
  @ApiProperty({ enum: REMEDIATION_MIN_SEVERITIES }) minSeverity: RemediationMinSeverity;
  @ApiProperty({ type: Number, nullable: true }) datasourceId: number | null;
  @ApiProperty({ type: String, nullable: true }) datasourceName: string | null;
  @ApiProperty({ enum: REMEDIATION_ACTION_TYPES }) action: RemediationActionType;
  @ApiProperty({ type: Number, nullable: true }) ttlFactor: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxTtlSeconds: number | null;
  @ApiProperty({ type: String, nullable: true }) region: string | null;
  @ApiProperty() cooldownSeconds: number;
  @ApiProperty() maxFailedAttempts: number;
  @ApiProperty() dryRun: boolean;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ format: 'uuid' }) createdBy: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) updatedBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class RemediationActionQueryDto extends PageQueryDto implements RemediationActionQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'ruleId must be a UUID' })
  ruleId?: string;

  @ApiPropertyOptional({ enum: REMEDIATION_OUTCOMES })
  @IsOptional()
  @IsIn(REMEDIATION_OUTCOMES, oneOf('outcome', REMEDIATION_OUTCOMES))
  outcome?: RemediationOutcome;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'datasourceId must be an integer' })
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number;
}

const VALUE = jsonSchema('JsonObject', { nullable: true, description: 'The setting before or after the action' });

export class RemediationActionDto implements RemediationAction {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) ruleId: string | null;
  @ApiProperty() ruleName: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) alertId: string | null;
  @ApiProperty({ enum: CACHE_ALERT_TYPES }) alertType: CacheAlertType;
  @ApiProperty({ type: Number, nullable: true }) datasourceId: number | null;
  @ApiProperty({ type: String, nullable: true }) datasourceName: string | null;
  @ApiProperty({ enum: REMEDIATION_ACTION_TYPES }) action: RemediationActionType;
  @ApiProperty({ enum: REMEDIATION_OUTCOMES }) outcome: RemediationOutcome;
  @ApiProperty() detail: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) warmJobId: string | null;
  @ApiProperty({ enum: JOB_STATUSES, nullable: true }) warmStatus: JobStatus | null;
  @ApiProperty(VALUE) previousValue: Record<string, unknown> | null;
  @ApiProperty(VALUE) newValue: Record<string, unknown> | null;
  @ApiProperty() undoable: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) undoneAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) undoneBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class RemediationActionPageDto {
  @ApiProperty({ type: RemediationActionDto, isArray: true }) items: RemediationActionDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
