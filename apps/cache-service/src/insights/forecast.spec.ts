import { DEMO_TRAFFIC, demoHour } from '../demo/demo-traffic.js';
import { forecastHours, MAX_FORECAST_HISTORY_DAYS } from './forecast.js';
import {
  backtest,
  errorFigures,
  predictedDays,
  warmingPlan,
  warmLeadSeconds,
  type DayCounts,
} from './forecast-plan.js';
import { addDays } from './usage-analysis.js';

const DAY_MS = 86_400_000;
const days = (n: number, day: (d: number) => number[]): number[] => Array.from({ length: n }, (_, d) => day(d)).flat();
/** Weekdays: 10 an hour, 100 from 09:00 to 11:00; weekends (days 5 and 6 of each week) a third of it. */
const office = (d: number): number[] =>
  Array.from({ length: 24 }, (_, h) => (h >= 9 && h <= 11 ? 100 : 10) * (d % 7 >= 5 ? 1 / 3 : 1));
/** Deterministic noise in [-1, 1). */
const noise = (i: number): number => {
  const x = Math.sin(i * 12.9898 + 78.233) * 43_758.5453;
  return (x - Math.floor(x)) * 2 - 1;
};

describe('demand forecast (Holt-Winters, daily and weekly seasonality)', () => {
  it('recovers a daily and weekly seasonal series: the next two days, a weekday and a weekend day, within 1 %', () => {
    const history = days(21, office); // three whole weeks: days 21 and 22 are weekdays
    const forecast = forecastHours(history, 48);
    expect(forecast.model.method).toBe('WEEKLY_SEASONAL');
    const expected = [...office(21), ...office(22)];
    forecast.values.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(1));
    // Day 19 is the first of a weekend.
    const toWeekend = forecastHours(days(19, office), 24).values;
    office(19).forEach((value, i) => expect(Math.abs(toWeekend[i] - value)).toBeLessThanOrEqual(1));
  });

  it('learns the daily shape through noise better than a copy of yesterday does', () => {
    const noisy = (d: number): number[] => office(d % 5).map((v, h) => v * (1 + 0.3 * noise(d * 24 + h)));
    const history = days(10, noisy);
    const tomorrow = noisy(10);
    const forecast = forecastHours(history, 24);
    expect(forecast.model.method).toBe('DAILY_SEASONAL');
    const mine = errorFigures(tomorrow, forecast.values).wape!;
    const copy = errorFigures(tomorrow, noisy(9)).wape!;
    expect(mine).toBeLessThan(copy);
  });

  it('falls back on short histories: daily-seasonal from 2 days, a copy of the only day, the mean of a partial day', () => {
    const two = forecastHours(days(2, office), 24);
    expect(two.model).toMatchObject({ method: 'DAILY_SEASONAL', delta: null, historyHours: 48 });
    expect(two.values[10]).toBeGreaterThan(80);
    expect(two.values[3]).toBeLessThan(20);

    const one = forecastHours(office(0), 30);
    expect(one.model).toMatchObject({ method: 'SEASONAL_NAIVE', alpha: null, historyHours: 24 });
    expect(one.values).toEqual([...office(0), ...office(0).slice(0, 6)]);

    const partial = forecastHours([4, 8, 6], 3);
    expect(partial).toEqual({
      model: { method: 'MEAN', alpha: null, gamma: null, delta: null, historyHours: 3, inSampleMae: null },
      values: [6, 6, 6],
    });
    expect(forecastHours([], 2).values).toEqual([0, 0]);
  });

  it('predicts zeros for an idle datasource, and never a negative count', () => {
    expect(
      forecastHours(
        days(15, () => Array(24).fill(0)),
        24,
      ).values,
    ).toEqual(Array(24).fill(0));
    const drop = [...days(3, office), ...days(1, () => Array(24).fill(0))];
    expect(Math.min(...forecastHours(drop, 48).values)).toBeGreaterThanOrEqual(0);
  });

  it('uses at most 28 days, refuses a horizon outside 1…192 hours, and drops a partial oldest day', () => {
    expect(forecastHours(days(40, office), 24).model.historyHours).toBe(MAX_FORECAST_HISTORY_DAYS * 24);
    expect(forecastHours([...[1, 2, 3], ...days(2, office)], 24).model.historyHours).toBe(48);
    expect(() => forecastHours([1], 0)).toThrow('horizon');
    expect(() => forecastHours([1], 193)).toThrow('horizon');
  });
});

describe('forecast errors, backtest and warming plan', () => {
  it('measures WAPE over hours that may be zero, and no WAPE when nothing happened', () => {
    expect(errorFigures([0, 10, 30], [5, 10, 20])).toEqual({ wape: 37.5, mae: 5 });
    expect(errorFigures([0, 0], [1, 3])).toEqual({ wape: null, mae: 2 });
  });

  it('backtests each day from the days before it only, against a copy of the day before', () => {
    const history: DayCounts[] = Array.from({ length: 4 }, (_, d) => ({
      date: addDays('2026-01-01', d),
      hourlyRequests: office(d).map((v, h) => v + (d === 3 && h === 10 ? 50 : 0)),
    }));
    const result = backtest(history, 10);
    expect(result.days.map((d) => [d.date, d.method])).toEqual([
      ['2026-01-02', 'SEASONAL_NAIVE'],
      ['2026-01-03', 'DAILY_SEASONAL'],
      ['2026-01-04', 'DAILY_SEASONAL'],
    ]);
    // The surprise on the last day is in neither prediction: both see only the days before.
    expect(result.days[2].forecast[10]).toBeCloseTo(100, 0);
    expect(result.days[2].rule).toEqual(history[2].hourlyRequests);
    expect(result.days[0].forecastError).toEqual(result.days[0].ruleError);
    expect(backtest(history, 1).days.map((d) => d.date)).toEqual(['2026-01-04']);
  });

  it('beats the rule on every demo datasource, whatever day the demo starts (three weeks of history, last week tested)', () => {
    for (const [name, profile] of Object.entries(DEMO_TRAFFIC))
      for (let start = 0; start < 7; start += 1)
        for (const datasourceId of [3]) {
          const today = Date.UTC(2026, 0, 1) + start * DAY_MS;
          const history: DayCounts[] = Array.from({ length: 21 }, (_, d) => {
            const dayStart = today - (21 - d) * DAY_MS;
            return {
              date: new Date(dayStart).toISOString().slice(0, 10),
              hourlyRequests: Array.from(
                { length: 24 },
                (_, h) => demoHour(profile, datasourceId, new Date(dayStart + h * 3_600_000)).requests,
              ),
            };
          });
          const result = backtest(history, 7);
          expect({ name, start, forecastBeatsRule: result.forecastError.wape! < result.ruleError.wape! }).toEqual({
            name,
            start,
            forecastBeatsRule: true,
          });
        }
  });

  it('plans the warm ahead of the first predicted peak, with a lead from the measured warms (30 min at least)', () => {
    expect(warmLeadSeconds([])).toBe(1800);
    expect(warmLeadSeconds([12])).toBe(1800);
    expect(warmLeadSeconds([1000, 1400])).toBe(3000); // 2 × 1400 s, rounded up to 5 min
    expect(warmLeadSeconds([86_400])).toBe(6 * 3600);

    const forecast = forecastHours(days(3, office), 48);
    const predicted = predictedDays('2026-01-04', forecast.values, addDays);
    expect(predicted.map((d) => [d.date, d.accessPattern, d.peakHourStart, d.peakHourEnd])).toEqual([
      ['2026-01-04', 'PEAKED', 9, 11],
      ['2026-01-05', 'PEAKED', 9, 11],
    ]);
    const plan = warmingPlan(forecast.model, predicted, [600]);
    expect(plan).toMatchObject({
      day: { date: '2026-01-04', peakHourStart: 9 },
      leadSeconds: 1800,
      measuredWarmSeconds: 600,
    });

    // Predicted idle or without a single rise: no warm.
    const idle = predictedDays('2026-01-04', Array(48).fill(0), addDays);
    expect(idle.map((d) => d.accessPattern)).toEqual(['IDLE', 'IDLE']);
    expect(warmingPlan(forecast.model, idle, [])).toBeNull();
    expect(warmingPlan(forecast.model, predictedDays('2026-01-04', Array(24).fill(50), addDays), [])).toBeNull();
  });
});
