import type { PredictedDay } from '@ccc/shared-types';
import { forecastHours, HOURS_PER_DAY, MAX_FORECAST_HISTORY_DAYS, type ForecastModel } from './forecast.js';
import { classify, peakWindow, PREDICTIVE_LEAD_SECONDS, round2 } from './usage-analysis.js';

/**
 * What the forecast is used for, as pure functions: its error against what happened (the backtest, compared with
 * the old rule "tomorrow looks like yesterday"), and the warm-before-the-rise plan the PREDICTIVE_WARMING rule
 * proposes.
 *
 * Error measure: WAPE (weighted absolute percentage error) = Σ|actual − predicted| / Σ actual × 100. It reads like
 * MAPE but weighs each hour by its traffic, so an hour with no requests — common at night — adds its absolute
 * error instead of a division by zero, and a quiet hour cannot dominate the figure. Undefined (null) when nothing
 * at all happened in the hours compared. MAE (requests per hour) is given beside it.
 */

/** One UTC day of a datasource's hourly request counts (24 values). */
export interface DayCounts {
  date: string;
  hourlyRequests: number[];
}

export interface ErrorFigures {
  /** Percent; null when the actual hours hold no requests. */
  wape: number | null;
  /** Requests per hour. */
  mae: number;
}

export function errorFigures(actual: number[], predicted: number[]): ErrorFigures {
  let absolute = 0;
  let total = 0;
  actual.forEach((value, i) => {
    absolute += Math.abs(value - predicted[i]);
    total += value;
  });
  return {
    wape: total > 0 ? round2((absolute / total) * 100) : null,
    mae: actual.length === 0 ? 0 : round2(absolute / actual.length),
  };
}

export interface BacktestDay {
  date: string;
  method: ForecastModel['method'];
  actual: number[];
  forecast: number[];
  rule: number[];
  forecastError: ErrorFigures;
  ruleError: ErrorFigures;
}

export interface BacktestResult {
  days: BacktestDay[];
  forecastError: ErrorFigures;
  ruleError: ErrorFigures;
}

/**
 * Walks the last `days` days of a contiguous history (oldest first) one at a time: each day is forecast from the
 * days before it only (at most MAX_FORECAST_HISTORY_DAYS of them) and predicted by the rule as a copy of the day
 * before. The first day of the history has no day before it and is never a test day.
 */
export function backtest(history: DayCounts[], days: number): BacktestResult {
  const first = Math.max(1, history.length - days);
  const tested: BacktestDay[] = [];
  for (let i = first; i < history.length; i += 1) {
    const before = history.slice(Math.max(0, i - MAX_FORECAST_HISTORY_DAYS), i).flatMap((d) => d.hourlyRequests);
    const forecast = forecastHours(before, HOURS_PER_DAY);
    const actual = history[i].hourlyRequests;
    const rule = history[i - 1].hourlyRequests;
    tested.push({
      date: history[i].date,
      method: forecast.model.method,
      actual,
      forecast: forecast.values,
      rule,
      forecastError: errorFigures(actual, forecast.values),
      ruleError: errorFigures(actual, rule),
    });
  }
  const all = (pick: (d: BacktestDay) => number[]): number[] => tested.flatMap(pick);
  return {
    days: tested,
    forecastError: errorFigures(
      all((d) => d.actual),
      all((d) => d.forecast),
    ),
    ruleError: errorFigures(
      all((d) => d.actual),
      all((d) => d.rule),
    ),
  };
}

/** Lead time is this multiple of the longest recent warm: room for a slow run or a wait in the queue. */
export const LEAD_WARM_MULTIPLE = 2;
export const MAX_LEAD_SECONDS = 6 * 3600;

/**
 * How long before the predicted rise a warm should start: LEAD_WARM_MULTIPLE × the longest warm of the recent past,
 * rounded up to 5 minutes, never less than PREDICTIVE_LEAD_SECONDS (30 min, also the value without measurements)
 * nor more than MAX_LEAD_SECONDS.
 */
export function warmLeadSeconds(recentWarmSeconds: number[]): number {
  const longest = Math.max(0, ...recentWarmSeconds.filter((s) => Number.isFinite(s)));
  const lead = Math.ceil((longest * LEAD_WARM_MULTIPLE) / 300) * 300;
  return Math.min(MAX_LEAD_SECONDS, Math.max(PREDICTIVE_LEAD_SECONDS, lead));
}

/** The forecast-driven warm: when the traffic is predicted to rise, and how long before it to warm. */
export interface WarmingForecast {
  model: ForecastModel;
  /** The first predicted day with a clear peak. */
  day: PredictedDay;
  leadSeconds: number;
  /** The longest recent warm, seconds (null when none was measured). */
  measuredWarmSeconds: number | null;
}

/** The shape of each predicted day: the usage-pattern analysis over the rounded forecast hours. */
export function predictedDays(
  firstDate: string,
  values: number[],
  addDays: (d: string, n: number) => string,
): PredictedDay[] {
  const result: PredictedDay[] = [];
  for (let start = 0; start + HOURS_PER_DAY <= values.length; start += HOURS_PER_DAY) {
    const hours = values.slice(start, start + HOURS_PER_DAY).map((v) => Math.round(v));
    const window = peakWindow(hours);
    const total = hours.reduce((a, b) => a + b, 0);
    result.push({
      date: addDays(firstDate, start / HOURS_PER_DAY),
      accessPattern: classify(hours, window),
      peakHourStart: window.start,
      peakHourEnd: window.end,
      predictedRequests: total,
      predictedPeakRequests: hours.slice(window.start, window.end + 1).reduce((a, b) => a + b, 0),
    });
  }
  return result;
}

/**
 * The warm-before-the-rise plan from a forecast of whole days: the first day predicted PEAKED gives the rise (the
 * start of its peak window). Days predicted IDLE, STEADY or BURSTY give none: a day predicted idle needs no warm, and
 * a steady or bursty one has no single rise to be ahead of (WARMING_SCHEDULE keeps those fresh by the TTL instead).
 */
export function warmingPlan(
  model: ForecastModel,
  days: PredictedDay[],
  recentWarmSeconds: number[],
): WarmingForecast | null {
  const day = days.find((d) => d.accessPattern === 'PEAKED');
  if (!day) return null;
  return {
    model,
    day,
    leadSeconds: warmLeadSeconds(recentWarmSeconds),
    measuredWarmSeconds: recentWarmSeconds.length > 0 ? round2(Math.max(...recentWarmSeconds)) : null,
  };
}
