import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../access/auth.decorators.js';
import { ApiErrorResponses } from '../common/api-errors.js';
import { NumericIdParam } from '../common/id-param.dto.js';
import { DatasourceRegionStatusDto } from './analytics-cache.dto.js';
import { RegionStatusService } from './region-status.js';

/** Per-region status of a datasource's cache (REDIS_REGIONS); read-only, like the cache details route. */
@ApiTags('admin: analytics cache')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/analytics/cache')
export class RegionStatusController {
  constructor(private readonly status: RegionStatusService) {}

  @Get('datasources/:id/regions')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: DatasourceRegionStatusDto, isArray: true })
  @ApiOperation({
    summary: 'Cache regions of a datasource',
    description:
      'Per Redis region: live generation, age, entries, memory, the last warm’s result there, and the lag behind primary.',
  })
  @ApiErrorResponses(404)
  regions(@Param() params: NumericIdParam): Promise<DatasourceRegionStatusDto[]> {
    return this.status.of(params.id);
  }
}
