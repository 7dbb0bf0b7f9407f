import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AlertEvaluationResult, CacheAlert, Paginated, Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { UuidParam } from '../common/id-param.dto.js';
import { AcknowledgeAlertDto, AlertDto, AlertEvaluationResultDto, AlertListQueryDto, AlertPageDto, ResolveAlertDto } from './alert.dto.js';
import { AlertEvaluator } from './alert-evaluator.service.js';
import { AlertsService } from './alerts.service.js';

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
  list(@Query() query: AlertListQueryDto): Promise<Paginated<CacheAlert>> {
    return this.alerts.list(query);
  }

  @Post('evaluate')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('alerts.evaluate', 'alerts')
  @ApiOkResponse({ type: AlertEvaluationResultDto })
  evaluate(): Promise<AlertEvaluationResult> {
    return this.evaluator.evaluateExclusive();
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: AlertDto })
  get(@Param() params: UuidParam): Promise<CacheAlert> {
    return this.alerts.get(params.id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('alert.acknowledge', 'alert')
  @ApiOkResponse({ type: AlertDto })
  acknowledge(@Param() params: UuidParam, @Body() body: AcknowledgeAlertDto, @CurrentPrincipal() principal: Principal): Promise<CacheAlert> {
    return this.alerts.acknowledge(params.id, body.comment, principal);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('alert.resolve', 'alert')
  @ApiOkResponse({ type: AlertDto })
  resolve(@Param() params: UuidParam, @Body() body: ResolveAlertDto, @CurrentPrincipal() principal: Principal): Promise<CacheAlert> {
    return this.alerts.resolve(params.id, body.comment, principal);
  }
}
