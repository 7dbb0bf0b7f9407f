import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ACCESS_PATTERNS,
  FORECAST_METHODS,
  type AccessPattern,
  type BacktestDaySummary,
  type BacktestHour,
  type BacktestQuery,
  type DemandForecast,
  type ForecastBacktest,
  type ForecastErrors,
  type ForecastMethod,
  type ForecastModelInfo,
  type ForecastPoint,
  type ForecastQuery,
  type ForecastWarmingPlan,
  type PredictedDay,
} from '@ccc/shared-types';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_BACKTEST_DAYS } from './forecast.service.js';

// --- requests -------------------------------------------------------------------------------------

export class ForecastQueryDto implements ForecastQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 168, default: 48, description: 'Hours ahead, from the current hour' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(168)
  hours?: number;
}

export class BacktestQueryDto implements BacktestQuery {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_BACKTEST_DAYS,
    default: 7,
    description: 'Complete UTC days to test, ending yesterday',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_BACKTEST_DAYS)
  days?: number;
}

// --- responses ------------------------------------------------------------------------------------

class ForecastModelInfoDto implements ForecastModelInfo {
  @ApiProperty({ enum: FORECAST_METHODS }) method: ForecastMethod;
  @ApiProperty({ type: Number, nullable: true, description: 'Level smoothing' }) alpha: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Daily-seasonal smoothing' }) gamma: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Weekly-seasonal smoothing' }) delta: number | null;
  @ApiProperty() historyHours: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Day-ahead in-sample MAE, requests per hour' })
  inSampleMae: number | null;
}

class ForecastPointDto implements ForecastPoint {
  @ApiProperty({ format: 'date-time' }) hour: string;
  @ApiProperty() requests: number;
}

class PredictedDayDto implements PredictedDay {
  @ApiProperty({ example: '2026-01-30' }) date: string;
  @ApiProperty({ enum: ACCESS_PATTERNS }) accessPattern: AccessPattern;
  @ApiProperty({ minimum: 0, maximum: 23 }) peakHourStart: number;
  @ApiProperty({ minimum: 0, maximum: 23 }) peakHourEnd: number;
  @ApiProperty() predictedRequests: number;
  @ApiProperty() predictedPeakRequests: number;
}

class ForecastWarmingPlanDto implements ForecastWarmingPlan {
  @ApiProperty({ example: '30 12 * * *' }) warmSchedule: string;
  @ApiProperty({ minimum: 0, maximum: 23 }) riseHour: number;
  @ApiProperty({ example: '2026-01-30' }) date: string;
  @ApiProperty() leadSeconds: number;
  @ApiProperty({ type: Number, nullable: true }) measuredWarmSeconds: number | null;
}

export class DemandForecastDto implements DemandForecast {
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty({ type: String, nullable: true, example: '2026-01-29' }) historyEnd: string | null;
  @ApiProperty() historyDays: number;
  @ApiProperty({ type: ForecastModelInfoDto }) model: ForecastModelInfoDto;
  @ApiProperty({ type: [ForecastPointDto] }) points: ForecastPointDto[];
  @ApiProperty({ type: [PredictedDayDto], description: 'Today and tomorrow (UTC) as predicted' })
  days: PredictedDayDto[];
  @ApiProperty({ type: ForecastWarmingPlanDto, nullable: true }) warming: ForecastWarmingPlanDto | null;
}

class ForecastErrorsDto implements ForecastErrors {
  @ApiProperty({ type: Number, nullable: true, description: 'WAPE, percent; null when no requests' })
  wape: number | null;
  @ApiProperty({ description: 'Mean absolute error, requests per hour' }) mae: number;
}

class BacktestDaySummaryDto implements BacktestDaySummary {
  @ApiProperty({ example: '2026-01-29' }) date: string;
  @ApiProperty({ enum: FORECAST_METHODS }) method: ForecastMethod;
  @ApiProperty({ type: ForecastErrorsDto }) forecast: ForecastErrorsDto;
  @ApiProperty({ type: ForecastErrorsDto }) rule: ForecastErrorsDto;
}

class BacktestHourDto implements BacktestHour {
  @ApiProperty({ format: 'date-time' }) hour: string;
  @ApiProperty() actual: number;
  @ApiProperty() forecast: number;
  @ApiProperty({ description: 'The old rule: the same hour the day before' }) rule: number;
}

export class ForecastBacktestDto implements ForecastBacktest {
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ enum: ['WAPE'] }) errorMeasure: 'WAPE';
  @ApiProperty() historyDays: number;
  @ApiProperty({ type: ForecastErrorsDto }) forecast: ForecastErrorsDto;
  @ApiProperty({ type: ForecastErrorsDto }) rule: ForecastErrorsDto;
  @ApiProperty({ type: [BacktestDaySummaryDto] }) days: BacktestDaySummaryDto[];
  @ApiProperty({ type: [BacktestHourDto] }) hours: BacktestHourDto[];
}
