/** Monitoring: the demand forecast behind forecast-driven warming, and its backtest (issue 15, part 2). */

import type { AccessPattern } from './monitoring-insights.js';

/**
 * How the forecast was made: additive Holt-Winters with daily and weekly seasonality (WEEKLY_SEASONAL, ≥ 14 days of
 * history), daily only (DAILY_SEASONAL, ≥ 2 days), a copy of the only day (SEASONAL_NAIVE), or the mean hour (MEAN).
 */
export const FORECAST_METHODS = ['WEEKLY_SEASONAL', 'DAILY_SEASONAL', 'SEASONAL_NAIVE', 'MEAN'] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

export interface ForecastModelInfo {
  method: ForecastMethod;
  /** Smoothing of the level, the daily and the weekly component (null when the method has none). */
  alpha: number | null;
  gamma: number | null;
  delta: number | null;
  /** Hours of history the model was fitted on (at most 28 days). */
  historyHours: number;
  /** Mean absolute error of the day-ahead predictions over the history, requests per hour. */
  inSampleMae: number | null;
}

export interface ForecastQuery {
  /** Hours to predict from the start of the current hour, 1…168 (default 48). */
  hours?: number;
}

export interface ForecastPoint {
  /** ISO timestamp of the hour's start. */
  hour: string;
  /** Predicted query-API requests in the hour. */
  requests: number;
}

/** A predicted UTC day's shape, as a usage pattern describes an observed one. */
export interface PredictedDay {
  date: string;
  accessPattern: AccessPattern;
  peakHourStart: number;
  peakHourEnd: number;
  predictedRequests: number;
  predictedPeakRequests: number;
}

/** The warm the forecast asks for: a daily cron `leadSeconds` before the first predicted peak. */
export interface ForecastWarmingPlan {
  warmSchedule: string;
  riseHour: number;
  date: string;
  leadSeconds: number;
  /** The longest completed warm of the last 7 days, seconds (null when none). */
  measuredWarmSeconds: number | null;
}

export interface DemandForecast {
  datasourceId: number;
  datasourceName: string;
  generatedAt: string;
  /** The last UTC day of history used (yesterday), null without history. */
  historyEnd: string | null;
  historyDays: number;
  model: ForecastModelInfo;
  points: ForecastPoint[];
  /** Today and tomorrow (UTC) as predicted. */
  days: PredictedDay[];
  /** Null when no day ahead is predicted to have a clear peak. */
  warming: ForecastWarmingPlan | null;
}

export interface BacktestQuery {
  /** Days to test, the latest first back, 1…28 (default 7). */
  days?: number;
}

/** The error measure of the backtest: WAPE = Σ|actual − predicted| / Σ actual × 100 (zero hours allowed). */
export interface ForecastErrors {
  /** Percent; null when the tested hours hold no requests. */
  wape: number | null;
  /** Mean absolute error, requests per hour. */
  mae: number;
}

export interface BacktestHour {
  hour: string;
  actual: number;
  /** The forecast made from the days before this hour's day. */
  forecast: number;
  /** The old rule: the same hour the day before. */
  rule: number;
}

export interface BacktestDaySummary {
  date: string;
  method: ForecastMethod;
  forecast: ForecastErrors;
  rule: ForecastErrors;
}

export interface ForecastBacktest {
  datasourceId: number;
  datasourceName: string;
  errorMeasure: 'WAPE';
  /** Days of history found (the backtest needs at least 2). */
  historyDays: number;
  forecast: ForecastErrors;
  rule: ForecastErrors;
  days: BacktestDaySummary[];
  hours: BacktestHour[];
}
