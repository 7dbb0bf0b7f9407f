import type { ForecastModelInfo } from '@ccc/shared-types';

/**
 * The demand forecast: additive exponential smoothing (Holt-Winters without a trend term) over a datasource's hourly
 * request counts, with a daily (24 h) and a weekly (168 h) seasonal component — Taylor's double-seasonal form:
 *
 *   prediction  ŷ(t)  = level + daily[t mod 24] + weekly[t mod 168]
 *   error       e(t)  = y(t) − ŷ(t)
 *   level            += α · e(t)
 *   daily[t mod 24]  += γ · (y(t) − level − weekly[t mod 168] − daily[t mod 24])
 *   weekly[t mod 168] += δ · (y(t) − level − daily[t mod 24] − weekly[t mod 168])   (old daily value)
 *
 * and the forecast h hours after the last observation is level + daily + weekly of that hour, floored at 0.
 *
 * No trend: hourly demand has no trend that holds over the next two days, and a trend fitted to the last hours
 * extrapolates an afternoon's rise into the night. α, γ, δ come from a small grid (FORECAST_GRID), choosing the
 * combination with the lowest in-sample squared error of the day-ahead prediction (each hour as predicted from the
 * start of its day, the way the forecast is used). The one-step error picks a level that chases every hour (α high,
 * γ low), whose forecast a day later carries the last hour's noise: on the demo traffic that lost to "tomorrow looks
 * like yesterday". The cost is bounded by the grid (≤ 125 combinations) times the history (≤ 28 × 24 hours).
 *
 * The history decides the method (a week of data cannot tell a weekly pattern from noise):
 * - WEEKLY_SEASONAL: ≥ MIN_WEEKLY_DAYS days — daily and weekly components.
 * - DAILY_SEASONAL: ≥ 2 days — the daily component only (δ = 0, weekly ≡ 0).
 * - SEASONAL_NAIVE: one day — the next days repeat it (what the old "yesterday's pattern" rule assumed).
 * - MEAN: under a day — the mean hour, flat. No history at all gives zeros.
 */

export const HOURS_PER_DAY = 24;
export const HOURS_PER_WEEK = 168;
/** Two weeks: the first initialises the weekly component, the second is the first that tests it. */
export const MIN_WEEKLY_DAYS = 14;
/** The fit uses at most this much history (older hours would only cost time). */
export const MAX_FORECAST_HISTORY_DAYS = 28;
/** Eight days: a week ahead from any hour of today (the fit's origin is midnight). */
export const MAX_FORECAST_HOURS = 192;

export const FORECAST_GRID = {
  alpha: [0.01, 0.03, 0.1, 0.2, 0.3],
  gamma: [0.05, 0.1, 0.2, 0.4, 0.7],
  delta: [0, 0.05, 0.1, 0.2, 0.4],
} as const;

export type ForecastModel = ForecastModelInfo;

export interface Forecast {
  model: ForecastModel;
  /** Predicted requests per hour for the `horizon` hours after the history, ≥ 0, two decimals. */
  values: number[];
}

interface State {
  level: number;
  daily: number[];
  weekly: number[];
}

const mean = (values: number[]): number =>
  values.length === 0 ? 0 : values.reduce((total, value) => total + value, 0) / values.length;
const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * Starting state from the first `days` whole days: the level is their mean hour; the daily component each hour of
 * day's mean deviation from it; the weekly component (when `weekly`, from the first week) as below.
 */
function initialState(y: number[], days: number, weekly: boolean): State {
  const span = y.slice(0, days * HOURS_PER_DAY);
  const level = mean(span);
  const daily = Array.from(
    { length: HOURS_PER_DAY },
    (_, hour) => mean(span.filter((_, t) => t % HOURS_PER_DAY === hour)) - level,
  );
  // One week holds a single value of each hour of the week, mostly noise: the weekly component starts from each
  // day of the week's volume relative to the mean day, applied to each hour in proportion to its usual volume (a
  // Sunday at half the traffic halves the peak more than the night); the smoothing refines it hour by hour.
  const dayShare = Array.from({ length: 7 }, (_, day) => {
    const hours = span.filter((_, t) => Math.floor((t % HOURS_PER_WEEK) / HOURS_PER_DAY) === day);
    return level > 0 && hours.length > 0 ? mean(hours) / level : 1;
  });
  const weeklyInit = Array.from({ length: HOURS_PER_WEEK }, (_, hour) =>
    weekly ? (dayShare[Math.floor(hour / HOURS_PER_DAY)] - 1) * (level + daily[hour % HOURS_PER_DAY]) : 0,
  );
  return { level, daily, weekly: weeklyInit };
}

/**
 * Runs the smoothing over y[from…] (from a midnight); returns the final state and the squared and absolute error sums
 * of the day-ahead predictions: each hour as predicted at the start of its day.
 */
function smooth(
  y: number[],
  start: State,
  from: number,
  alpha: number,
  gamma: number,
  delta: number,
): { state: State; sse: number; sae: number } {
  const state: State = { level: start.level, daily: [...start.daily], weekly: [...start.weekly] };
  let sse = 0;
  let sae = 0;
  let dayLevel = state.level;
  for (let t = from; t < y.length; t += 1) {
    const d = t % HOURS_PER_DAY;
    const w = t % HOURS_PER_WEEK;
    // The day-ahead prediction holds the level of the day's start (the forecast's own origin, midnight).
    if (d === 0) dayLevel = state.level;
    const dayAhead = y[t] - (dayLevel + state.daily[d] + state.weekly[w]);
    sse += dayAhead * dayAhead;
    sae += Math.abs(dayAhead);
    const error = y[t] - (state.level + state.daily[d] + state.weekly[w]);
    state.level += alpha * error;
    const oldDaily = state.daily[d];
    state.daily[d] += gamma * (y[t] - state.level - state.weekly[w] - oldDaily);
    state.weekly[w] += delta * (y[t] - state.level - oldDaily - state.weekly[w]);
  }
  return { state, sse, sae };
}

function project(state: State, historyLength: number, horizon: number): number[] {
  return Array.from({ length: horizon }, (_, k) => {
    const t = historyLength + k;
    return round2(Math.max(0, state.level + state.daily[t % HOURS_PER_DAY] + state.weekly[t % HOURS_PER_WEEK]));
  });
}

/**
 * Fits the model to an hourly history (oldest first, starting at a UTC midnight; only the last
 * MAX_FORECAST_HISTORY_DAYS whole days are used) and predicts the next `horizon` hours.
 */
export function forecastHours(history: number[], horizon: number): Forecast {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_FORECAST_HOURS)
    throw new Error(`horizon must be 1…${MAX_FORECAST_HOURS} hours`);
  const clean = history.map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
  // Keep the series aligned to midnight: drop the oldest hours of a partial first day, then old days.
  const whole = clean.length - (clean.length % HOURS_PER_DAY);
  const y = clean.slice(clean.length - whole).slice(-MAX_FORECAST_HISTORY_DAYS * HOURS_PER_DAY);
  const days = y.length / HOURS_PER_DAY;
  const base = { alpha: null, gamma: null, delta: null, inSampleMae: null };

  if (days === 0) {
    const flat = round2(mean(clean));
    return {
      model: { method: 'MEAN', ...base, historyHours: clean.length },
      values: Array.from({ length: horizon }, () => flat),
    };
  }
  if (days === 1) {
    return {
      model: { method: 'SEASONAL_NAIVE', ...base, historyHours: y.length },
      values: Array.from({ length: horizon }, (_, k) => round2(y[k % HOURS_PER_DAY])),
    };
  }

  const weekly = days >= MIN_WEEKLY_DAYS;
  // The weekly method starts from the first week (its errors are counted from the second); the daily one from the
  // first week or all days if fewer, counting errors from the second day.
  const start = initialState(y, weekly ? 7 : Math.min(days, 7), weekly);
  const from = weekly ? HOURS_PER_WEEK : HOURS_PER_DAY;
  let best: { alpha: number; gamma: number; delta: number; sse: number; sae: number; state: State } | null = null;
  for (const alpha of FORECAST_GRID.alpha)
    for (const gamma of FORECAST_GRID.gamma)
      for (const delta of weekly ? FORECAST_GRID.delta : [0]) {
        const run = smooth(y, start, from, alpha, gamma, delta);
        if (!best || run.sse < best.sse) best = { alpha, gamma, delta, ...run };
      }
  const fit = best!;
  return {
    model: {
      method: weekly ? 'WEEKLY_SEASONAL' : 'DAILY_SEASONAL',
      alpha: fit.alpha,
      gamma: fit.gamma,
      delta: weekly ? fit.delta : null,
      historyHours: y.length,
      inSampleMae: round2(fit.sae / (y.length - from)),
    },
    values: project(fit.state, y.length, horizon),
  };
}
