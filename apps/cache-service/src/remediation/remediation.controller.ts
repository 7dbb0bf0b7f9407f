import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Paginated, Principal, RemediationAction, RemediationRule } from '@ccc/shared-types';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { Audited } from '../audit/audited.decorator.js';
import { ApiErrorResponses } from '../common/api-errors.js';
import { UuidParam } from '../common/id-param.dto.js';
import { RemediationActionsService } from './remediation-actions.service.js';
import { RemediationRulesService } from './remediation-rules.service.js';
import {
  CreateRemediationRuleDto,
  RemediationActionDto,
  RemediationActionPageDto,
  RemediationActionQueryDto,
  RemediationRuleDto,
  UpdateRemediationRuleDto,
} from './remediation.dto.js';

const DUPLICATE: [409, string] = [
  409,
  'CONFLICT: a rule with this action for this alert type and scope already exists',
];

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/remediation')
export class RemediationController {
  constructor(
    private readonly rules: RemediationRulesService,
    private readonly actions: RemediationActionsService,
  ) {}

  @Get('rules')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: RemediationRuleDto, isArray: true })
  @ApiOperation({ summary: 'List remediation rules', description: 'Every remediation rule, oldest first.' })
  list(): Promise<RemediationRule[]> {
    return this.rules.list();
  }

  @Get('rules/:id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: RemediationRuleDto })
  @ApiOperation({ summary: 'Get a remediation rule', description: 'One remediation rule.' })
  @ApiErrorResponses(404)
  get(@Param() params: UuidParam): Promise<RemediationRule> {
    return this.rules.get(params.id);
  }

  @Post('rules')
  @RequirePermissions('settings:write:all')
  @Audited('remediation-rule.create', 'remediation-rule')
  @ApiCreatedResponse({ type: RemediationRuleDto })
  @ApiOperation({
    summary: 'Create a remediation rule',
    description:
      'Attaches an action (warm, forced warm, raise the staleness TTL, pause the warm schedule, notify only) to an alert type, for one datasource or all.',
  })
  @ApiErrorResponses(DUPLICATE)
  create(@Body() body: CreateRemediationRuleDto, @CurrentPrincipal() principal: Principal): Promise<RemediationRule> {
    return this.rules.create(body, principal);
  }

  @Patch('rules/:id')
  @RequirePermissions('settings:write:all')
  @Audited('remediation-rule.update', 'remediation-rule')
  @ApiOkResponse({ type: RemediationRuleDto })
  @ApiOperation({
    summary: 'Change a remediation rule',
    description: 'Changes a rule’s scope, action, guardrails, dry-run mode or enabled flag.',
  })
  @ApiErrorResponses(404, DUPLICATE)
  update(
    @Param() params: UuidParam,
    @Body() body: UpdateRemediationRuleDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RemediationRule> {
    return this.rules.update(params.id, body, principal);
  }

  @Delete('rules/:id')
  @HttpCode(204)
  @RequirePermissions('settings:write:all')
  @Audited('remediation-rule.delete', 'remediation-rule')
  @ApiNoContentResponse()
  @ApiOperation({
    summary: 'Delete a remediation rule',
    description: 'Removes a rule; the actions it took stay listed under its name.',
  })
  @ApiErrorResponses(404)
  remove(@Param() params: UuidParam): Promise<void> {
    return this.rules.remove(params.id);
  }

  @Get('actions')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: RemediationActionPageDto })
  @ApiOperation({
    summary: 'List remediation actions',
    description: 'What rules did (and, in dry-run, would have done), newest first; by rule, outcome or datasource.',
  })
  @ApiErrorResponses(404)
  listActions(@Query() query: RemediationActionQueryDto): Promise<Paginated<RemediationAction>> {
    return this.actions.list(query);
  }

  @Post('actions/:id/undo')
  @HttpCode(200)
  @RequirePermissions('settings:write:all')
  @Audited('remediation-action.undo', 'remediation-action')
  @ApiOkResponse({ type: RemediationActionDto })
  @ApiOperation({
    summary: 'Undo a remediation action',
    description:
      'Puts back the staleness TTL or warm schedule a rule changed, unless it was changed again since (409).',
  })
  @ApiErrorResponses(404, [409, 'CONFLICT: nothing to put back, already undone, or the setting changed since'])
  undo(@Param() params: UuidParam, @CurrentPrincipal() principal: Principal): Promise<RemediationAction> {
    return this.actions.undo(params.id, principal);
  }
}
