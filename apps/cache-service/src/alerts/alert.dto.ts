import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  AcknowledgeAlertRequest,
  AlertEvaluationResult,
  AlertEvent,
  AlertListQuery,
  AlertSeverity,
  AlertStatus,
  CacheAlert,
  CacheAlertType,
  Paginated,
  ResolveAlertRequest,
} from '@ccc/shared-types';
import { ALERT_SEVERITIES, ALERT_STATUSES, CACHE_ALERT_TYPES, COMMENT_MAX_LENGTH } from '@ccc/shared-types';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../common/pagination.dto.js';
import { jsonSchema } from '../common/openapi-json-schemas.js';

export class AlertListQueryDto extends PageQueryDto implements AlertListQuery {
  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  @IsOptional()
  @IsIn(ALERT_STATUSES, { message: `status must be one of ${ALERT_STATUSES.join(', ')}` })
  status?: AlertStatus;

  @ApiPropertyOptional({ enum: ALERT_SEVERITIES })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity?: AlertSeverity;

  @ApiPropertyOptional({ enum: CACHE_ALERT_TYPES })
  @IsOptional()
  @IsIn(CACHE_ALERT_TYPES, { message: `alertType must be one of ${CACHE_ALERT_TYPES.join(', ')}` })
  alertType?: CacheAlertType;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'datasourceId must be an integer' })
  @Min(1)
  @Max(2_147_483_647)
  datasourceId?: number;
}

export class AcknowledgeAlertDto implements AcknowledgeAlertRequest {
  @ApiProperty({
    minLength: 1,
    maxLength: COMMENT_MAX_LENGTH,
    example: 'Warming schedule moved before the morning peak',
  })
  @IsString({ message: 'comment is required: say what is being done about the alert' })
  @Matches(/\S/, { message: 'comment must not be empty' })
  @MaxLength(COMMENT_MAX_LENGTH, { message: `comment must be at most ${COMMENT_MAX_LENGTH} characters` })
  comment: string;
}

export class ResolveAlertDto implements ResolveAlertRequest {
  @ApiPropertyOptional({ maxLength: COMMENT_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH, { message: `comment must be at most ${COMMENT_MAX_LENGTH} characters` })
  comment?: string;
}

export class AlertEventDto implements AlertEvent {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({
    enum: [
      'FIRED',
      'ESCALATED',
      'DEESCALATED',
      'ACKNOWLEDGED',
      'RESOLVED',
      'NOTIFIED',
      'NOTIFICATION_FAILED',
      'REMEDIATION',
    ] satisfies Array<AlertEvent['event']>,
    description: 'REMEDIATION: a remediation rule acted (or, in dry-run, would have); `by` is `rule:<id>`',
  })
  event: AlertEvent['event'];
  @ApiProperty({ enum: ALERT_SEVERITIES }) severity: AlertSeverity;
  @ApiProperty({ type: Number, nullable: true }) actualValue: number | null;
  @ApiProperty({ type: String, nullable: true }) by: string | null;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
}

export class AlertDto implements CacheAlert {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) cacheLayerId: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) cacheStrategyId: string | null;
  @ApiProperty({ type: Number, nullable: true }) datasourceId: number | null;
  @ApiProperty({ type: String, nullable: true }) datasourceName: string | null;
  @ApiProperty({ enum: CACHE_ALERT_TYPES }) alertType: CacheAlertType;
  @ApiProperty({ enum: ALERT_SEVERITIES }) severity: AlertSeverity;
  @ApiProperty() alertMessage: string;
  @ApiProperty() thresholdValue: number;
  @ApiProperty() actualValue: number;
  @ApiProperty(jsonSchema('AlertContext', { nullable: true })) alertContext: Record<string, unknown> | null;
  @ApiProperty({ enum: ALERT_STATUSES }) alertStatus: AlertStatus;
  @ApiProperty({ type: String, nullable: true }) acknowledgedBy: string | null;
  @ApiProperty({ type: String, nullable: true }) acknowledgedByName: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) acknowledgedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) acknowledgementComment: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) resolvedAt: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "'auto' when the metric recovered, else the user who resolved it",
  })
  resolvedBy: string | null;
  @ApiProperty({ format: 'uuid' }) createdBy: string;
  @ApiProperty({ format: 'date-time' }) triggeredAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastEvaluatedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastNotifiedAt: string | null;
  @ApiProperty({ type: AlertEventDto, isArray: true }) history: AlertEventDto[];
}

export class AlertPageDto implements Paginated<AlertDto> {
  @ApiProperty({ type: AlertDto, isArray: true }) items: AlertDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

export class AlertEvaluationResultDto implements AlertEvaluationResult {
  @ApiProperty({ format: 'date-time' }) evaluatedAt: string;
  @ApiProperty({
    description: 'Checks made: an enabled threshold applied to one datasource, table or the whole database / Redis',
  })
  thresholdsEvaluated: number;
  @ApiProperty() fired: number;
  @ApiProperty() escalated: number;
  @ApiProperty() deescalated: number;
  @ApiProperty() resolved: number;
  @ApiProperty() notificationsQueued: number;
  @ApiProperty({ description: 'False when another replica held the evaluation lease and this call did nothing' })
  ran: boolean;
}
