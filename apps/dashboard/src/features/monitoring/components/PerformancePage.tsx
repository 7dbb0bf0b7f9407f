import '../monitoring.css';
import type { UsagePattern } from '@ccc/shared-types';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { HeatMap } from '../../../components/charts/HeatMap';
import { LineChart } from '../../../components/charts/LineChart';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { formatDuration, formatNumber, formatPercent, hourLabel, utcDay } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useNow } from '../../../lib/use-now';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import { useHourlyUsage, useRollup, useUsagePatterns } from '../hooks/useUsage';
import { ACCESS_PATTERN_LABELS } from '../labels';
import { hasTraffic, heatRows, hourlySeries } from '../usage-charts';
import { DatasourceSelect, datasourceNames } from './DatasourceSelect';
import { ForecastPanel } from './ForecastPanel';
import { QueryPatterns, SlowQueries } from './QueryPerformance';

const RANGES = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 48, label: 'Last 48 hours' },
  { hours: 168, label: 'Last 7 days' },
] as const;
const HOUR_MS = 3_600_000;
const HOURS = Array.from({ length: 24 }, (_, hour) => hourLabel(hour));

const timeOfDay = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
const dayAndTime = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

const PATTERN_COLUMNS: Array<Column<UsagePattern>> = [
  { id: 'datasource', header: 'Datasource', cell: (p) => p.datasourceName, sortValue: (p) => p.datasourceName },
  { id: 'day', header: 'Day', cell: (p) => p.analysisDate, sortValue: (p) => p.analysisDate },
  {
    id: 'pattern',
    header: 'Pattern',
    cell: (p) => ACCESS_PATTERN_LABELS[p.accessPattern],
    sortValue: (p) => ACCESS_PATTERN_LABELS[p.accessPattern],
  },
  {
    id: 'peak',
    header: 'Peak hours (UTC)',
    className: 'nowrap',
    cell: (p) => `${hourLabel(p.peakHourStart)}–${hourLabel((p.peakHourEnd + 1) % 24)}`,
  },
  {
    id: 'requests',
    header: 'Requests',
    numeric: true,
    cell: (p) => formatNumber(p.dailyRequests, 0),
    sortValue: (p) => p.dailyRequests,
  },
  {
    id: 'avg-hit-rate',
    header: 'Avg hit rate',
    numeric: true,
    cell: (p) => formatPercent(p.averageHitRate),
    sortValue: (p) => p.averageHitRate,
  },
  {
    id: 'peak-hit-rate',
    header: 'Peak hit rate',
    numeric: true,
    cell: (p) => formatPercent(p.peakHitRate),
    sortValue: (p) => p.peakHitRate,
  },
  {
    id: 'ttl',
    header: 'Optimal TTL',
    numeric: true,
    cell: (p) => formatDuration(p.optimalTtlSeconds),
    sortValue: (p) => p.optimalTtlSeconds,
  },
];

/** Trends of hit rate and query time, the hour-of-day heat-map, slow queries and the heaviest query patterns. */
export function PerformancePage() {
  const canWrite = useCanWriteSettings();
  const datasources = useDatasources();
  const names = useMemo(() => datasourceNames(datasources.data), [datasources.data]);
  // `?datasource=<id>` opens the page on one datasource (a link to its forecast).
  const [params] = useSearchParams();
  const [datasourceId, setDatasourceId] = useState(() => params.get('datasource') ?? '');
  const [hours, setHours] = useState<number>(48);
  // Whole hours, so the query key stays the same until the next hour begins.
  const hourStart = useNow(HOUR_MS);
  const fromMs = hourStart - (hours - 1) * HOUR_MS;
  const from = new Date(fromMs).toISOString();
  // The end of the current hour: every list and history on the page covers the same window.
  const to = new Date(fromMs + hours * HOUR_MS).toISOString();
  const dsId = datasourceId ? Number(datasourceId) : undefined;

  const hourly = useHourlyUsage({ datasourceId: dsId, from });
  const patterns = useUsagePatterns({ datasourceId: dsId, from: utcDay(new Date(fromMs)), to: utcDay() });
  const rollup = useRollup();
  const today = utcDay();
  const formatX = hours > 24 ? (ms: number) => dayAndTime.format(ms) : (ms: number) => timeOfDay.format(ms);

  const hitSeries = useMemo(() => hourlySeries(hourly.data ?? [], names, 'hitRate'), [hourly.data, names]);
  const timeSeries = useMemo(() => hourlySeries(hourly.data ?? [], names, 'avgQueryTimeMs'), [hourly.data, names]);
  const rows = useMemo(() => heatRows(patterns.data ?? [], dsId !== undefined), [patterns.data, dsId]);
  const rollupButton = canWrite && (
    <button
      type="button"
      className="button button-secondary"
      disabled={rollup.isPending}
      onClick={() => rollup.mutate(today)}
    >
      {rollup.isPending ? 'Rolling up…' : 'Roll up today'}
    </button>
  );

  return (
    <section aria-labelledby="page-title" className="monitoring-page">
      <div className="page-header">
        <h1 id="page-title">Performance</h1>
        {rollupButton}
      </div>
      <form className="card filters" aria-label="Performance filters" onSubmit={(event) => event.preventDefault()}>
        <DatasourceSelect
          id="perf-datasource"
          label="Datasource"
          datasources={datasources.data}
          value={datasourceId}
          onChange={setDatasourceId}
        />
        <div className="field">
          <label htmlFor="perf-range">Period</label>
          <select id="perf-range" value={hours} onChange={(event) => setHours(Number(event.target.value))}>
            {RANGES.map((range) => (
              <option key={range.hours} value={range.hours}>
                {range.label}
              </option>
            ))}
          </select>
        </div>
        <p className="field-hint filters-note">Hours are UTC.</p>
      </form>

      <section aria-labelledby="trends-title" className="page-section">
        <h2 id="trends-title">Hit rate and query time</h2>
        {hourly.isPending && <Loading label="Loading hourly usage…" />}
        {hourly.isError && <LoadError error={hourly.error} />}
        {hourly.data &&
          (!hasTraffic(hourly.data) ? (
            <p className="card card-muted" data-testid="no-hourly-usage">
              No query-API traffic in this period. The charts fill in as clients query{' '}
              <code>/api/analytics/datasources/:id/query</code>; every request is counted per hour.
            </p>
          ) : (
            <div className="chart-grid">
              <div className="card">
                <h3 className="subheading">Cache hit rate</h3>
                <LineChart
                  testId="hit-rate-chart"
                  title="Cache hit rate per hour"
                  description={`Percentage of query-API requests answered from the cache, per UTC hour, for ${hitSeries.length} datasource(s).`}
                  series={hitSeries}
                  yLabel="Hit rate (%)"
                  yMax={100}
                  formatY={(value) => `${formatNumber(value, 1)}%`}
                  formatX={formatX}
                />
              </div>
              <div className="card">
                <h3 className="subheading">Average query time</h3>
                <LineChart
                  testId="query-time-chart"
                  title="Average query time per hour"
                  description={`Average query-API response time in milliseconds, per UTC hour, for ${timeSeries.length} datasource(s).`}
                  series={timeSeries}
                  yLabel="Query time (ms)"
                  formatY={(value) => formatNumber(value, 2)}
                  formatX={formatX}
                />
              </div>
            </div>
          ))}
      </section>

      <section aria-labelledby="usage-title" className="page-section">
        <h2 id="usage-title">Usage by hour of day</h2>
        {patterns.isPending && <Loading label="Loading usage patterns…" />}
        {patterns.isError && <LoadError error={patterns.error} />}
        {patterns.data &&
          (patterns.data.length === 0 ? (
            <div className="card card-muted" data-testid="no-usage-patterns">
              <p>
                No usage patterns yet — they are computed daily from query traffic
                {canWrite ? '; “Roll up today” computes today’s so far.' : '.'}
              </p>
              {rollupButton && <div className="ds-card-actions">{rollupButton}</div>}
            </div>
          ) : (
            <>
              <div className="card">
                <HeatMap
                  testId="usage-heatmap"
                  title={dsId !== undefined ? 'Requests per UTC hour, by day' : 'Requests per UTC hour, by datasource'}
                  description="Darker cells had more query-API requests in that hour of the day."
                  columns={HOURS}
                  rows={rows}
                  legendLabel="Requests"
                  formatValue={(value) => `${formatNumber(value, 0)} requests`}
                />
              </div>
              <DataTable
                label="Usage patterns by day"
                testId="usage-patterns-table"
                columns={PATTERN_COLUMNS}
                rows={patterns.data}
                rowKey={(p) => p.id}
                initialSort={{ columnId: 'day', direction: 'descending' }}
              />
            </>
          ))}
      </section>

      <section aria-labelledby="forecast-title" className="page-section">
        <h2 id="forecast-title">Demand forecast</h2>
        {dsId !== undefined ? (
          <ForecastPanel datasourceId={dsId} />
        ) : (
          <p className="card card-muted" data-testid="forecast-choose-datasource">
            Choose a datasource above to see its demand forecast: the next hours of query traffic predicted from its
            history, and how the forecast did against the old rule over the last week.
          </p>
        )}
      </section>

      <section aria-labelledby="slow-title" className="page-section">
        <h2 id="slow-title">Slow queries</h2>
        <SlowQueries from={from} to={to} datasourceId={dsId} names={names} />
      </section>

      <section aria-labelledby="patterns-title" className="page-section">
        <h2 id="patterns-title">Top query patterns</h2>
        <QueryPatterns from={from} to={to} datasourceId={dsId} />
      </section>
    </section>
  );
}
