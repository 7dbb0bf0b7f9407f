import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AlertEvaluationResult, CacheAlert, Paginated, Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { UuidParam } from '../common/id-param.dto.js';
import {
  AcknowledgeAlertDto,
  AlertDto,
  AlertEvaluationResultDto,
  AlertListQueryDto,
  AlertPageDto,
  ResolveAlertDto,
} from './alert.dto.js';
import { AlertEvaluator } from './alert-evaluator.service.js';
import { AlertsService } from './alerts.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly evaluator: AlertEvaluator,
  ) {}

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: AlertPageDto })
  @ApiOperation({
    summary: 'List alerts',
    description: 'Alerts by status, severity and datasource, newest first, one page at a time.',
  })
  list(@Query() query: AlertListQueryDto): Promise<Paginated<CacheAlert>> {
    return this.alerts.list(query);
  }

  @Post('evaluate')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('alerts.evaluate', 'alerts')
  @ApiOkResponse({ type: AlertEvaluationResultDto })
  @ApiOperation({
    summary: 'Evaluate alerts now',
    description: 'Checks every enabled threshold against current metrics at once, raising and resolving alerts.',
  })
  evaluate(): Promise<AlertEvaluationResult> {
    return this.evaluator.evaluateExclusive();
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: AlertDto })
  @ApiOperation({ summary: 'Get an alert', description: 'One alert with its metric values and history.' })
  @ApiErrorResponses(404)
  get(@Param() params: UuidParam): Promise<CacheAlert> {
    return this.alerts.get(params.id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('alert.acknowledge', 'alert')
  @ApiOkResponse({ type: AlertDto })
  @ApiOperation({
    summary: 'Acknowledge an alert',
    description: 'Marks an active alert as seen, with an optional comment.',
  })
  @ApiErrorResponses(404, [409, 'CONFLICT: the alert is not active'])
  acknowledge(
    @Param() params: UuidParam,
    @Body() body: AcknowledgeAlertDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CacheAlert> {
    return this.alerts.acknowledge(params.id, body.comment, principal);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('alert.resolve', 'alert')
  @ApiOkResponse({ type: AlertDto })
  @ApiOperation({ summary: 'Resolve an alert', description: 'Closes an alert, with an optional comment.' })
  @ApiErrorResponses(404, [409, 'CONFLICT: the alert is already resolved'])
  resolve(
    @Param() params: UuidParam,
    @Body() body: ResolveAlertDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CacheAlert> {
    return this.alerts.resolve(params.id, body.comment, principal);
  }
}
