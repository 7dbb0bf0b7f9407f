import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../access/auth.decorators.js';
import { NumericIdParam } from '../common/id-param.dto.js';
import { BacktestQueryDto, DemandForecastDto, ForecastBacktestDto, ForecastQueryDto } from './forecast.dto.js';
import { ForecastService } from './forecast.service.js';

@ApiTags('admin: monitoring')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/monitoring/usage-patterns')
export class ForecastController {
  constructor(private readonly forecasts: ForecastService) {}

  @Get(':id/forecast')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: DemandForecastDto, description: 'Predicted requests per hour and the warm it asks for' })
  @ApiOperation({
    summary: 'Demand forecast',
    description:
      'Hourly query-API requests of one datasource predicted by Holt-Winters exponential smoothing (daily and weekly ' +
      'seasonality) from its history up to yesterday, with the predicted days and the warm-before-the-rise plan.',
  })
  forecast(@Param() params: NumericIdParam, @Query() query: ForecastQueryDto): Promise<DemandForecastDto> {
    return this.forecasts.forecast(params.id, query.hours);
  }

  @Get(':id/forecast/backtest')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: ForecastBacktestDto, description: 'Forecast, rule and actual per hour, and both errors' })
  @ApiOperation({
    summary: 'Forecast backtest',
    description:
      'Each of the last `days` complete days forecast from the days before it, against the old rule (the day before ' +
      'repeated) and what happened; errors as WAPE (Σ|actual − predicted| / Σ actual) and MAE.',
  })
  backtest(@Param() params: NumericIdParam, @Query() query: BacktestQueryDto): Promise<ForecastBacktestDto> {
    return this.forecasts.backtest(params.id, query.days);
  }
}
