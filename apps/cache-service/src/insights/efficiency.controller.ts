import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../access/auth.decorators.js';
import { EfficiencyService } from './efficiency.service.js';
import { EfficiencyQueryDto, EfficiencyReportDto } from './insights.dto.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/efficiency')
export class EfficiencyController {
  constructor(private readonly efficiency: EfficiencyService) {}

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({
    type: EfficiencyReportDto,
    description: 'Hit-rate trend, memory per hit and warming cost per datasource over the last `days` UTC days',
  })
  @ApiOperation({
    summary: 'Cache efficiency',
    description: 'Hit-rate trend, memory per hit and warming cost per datasource over the last `days` UTC days.',
  })
  report(@Query() query: EfficiencyQueryDto): Promise<EfficiencyReportDto> {
    return this.efficiency.report(query.days ?? 7);
  }
}
