import type { ForecastBacktest, HourlyUsage, UsagePattern } from '@ccc/shared-types';
import type { HeatMapRow } from '../../components/charts/HeatMap';
import type { ChartSeries } from '../../components/charts/LineChart';
import { datasourceLabel } from '../../lib/format';

/**
 * One line per datasource over the hours, of hit rate or average query time (gaps where nothing was asked);
 * datasources without a single request in the period are left out.
 */
export function hourlySeries(
  usage: HourlyUsage[],
  names: ReadonlyMap<number, string>,
  metric: 'hitRate' | 'avgQueryTimeMs',
): ChartSeries[] {
  const byDatasource = new Map<number, HourlyUsage[]>();
  for (const row of usage) {
    const list = byDatasource.get(row.datasourceId) ?? [];
    list.push(row);
    byDatasource.set(row.datasourceId, list);
  }
  return [...byDatasource.entries()]
    .sort(([a], [b]) => a - b)
    .map(([datasourceId, rows]) => ({
      id: String(datasourceId),
      label: datasourceLabel(datasourceId, names.get(datasourceId)),
      points: rows.map((row) => ({ x: Date.parse(row.hour), y: row[metric] })),
    }))
    .filter((series) => series.points.some((point) => point.y !== null));
}

export function hasTraffic(usage: HourlyUsage[]): boolean {
  return usage.some((row) => row.requests > 0);
}

/**
 * Heat-map rows of requests per UTC hour: with one datasource, a row per analysed day (oldest first);
 * otherwise a row per datasource, summed over the days.
 */
export function heatRows(patterns: UsagePattern[], byDay: boolean): HeatMapRow[] {
  if (byDay) {
    return [...patterns]
      .sort((a, b) => a.analysisDate.localeCompare(b.analysisDate) || a.datasourceId - b.datasourceId)
      .map((p) => ({ id: p.id, label: p.analysisDate, values: normalise(p.hourlyRequests) }));
  }
  const byDatasource = new Map<number, { label: string; values: number[] }>();
  for (const p of patterns) {
    const row = byDatasource.get(p.datasourceId) ?? {
      label: datasourceLabel(p.datasourceId, p.datasourceName),
      values: new Array<number>(24).fill(0),
    };
    normalise(p.hourlyRequests).forEach((v, hour) => (row.values[hour] = row.values[hour]! + v));
    byDatasource.set(p.datasourceId, row);
  }
  return [...byDatasource.entries()].sort(([a], [b]) => a - b).map(([id, row]) => ({ id: String(id), ...row }));
}

function normalise(values: number[]): number[] {
  return Array.from({ length: 24 }, (_, hour) => values[hour] ?? 0);
}

/** Actual, forecast and rule per hour of the backtest: three lines. */
export function backtestSeries(backtest: ForecastBacktest): ChartSeries[] {
  const points = (pick: (h: ForecastBacktest['hours'][number]) => number) =>
    backtest.hours.map((h) => ({ x: Date.parse(h.hour), y: pick(h) }));
  return [
    { id: 'actual', label: 'Actual', points: points((h) => h.actual) },
    { id: 'forecast', label: 'Forecast', points: points((h) => h.forecast) },
    { id: 'rule', label: 'Rule (the day before)', points: points((h) => h.rule) },
  ];
}
