import '../monitoring.css';
import type { DatasourceEfficiency } from '@ccc/shared-types';
import { useState } from 'react';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { datasourceLabel, formatBytes, formatHitRate, formatNumber, formatSeconds } from '../../../lib/format';
import { useEfficiencyReport } from '../hooks/useEfficiency';
import { VERDICT_META } from '../labels';

const PERIODS = [7, 14, 30] as const;

/** A tiny hit-rate line per day (0–100 %), gaps on days without traffic. */
export function Sparkline({ trend, label }: { trend: DatasourceEfficiency['hitRateTrend']; label: string }) {
  const width = 120;
  const height = 28;
  const pad = 3;
  const step = trend.length > 1 ? (width - 2 * pad) / (trend.length - 1) : 0;
  const points = trend.map((day, i) =>
    day.hitRate === null
      ? null
      : {
          x: trend.length > 1 ? pad + i * step : width / 2,
          y: height - pad - (day.hitRate / 100) * (height - 2 * pad),
        },
  );
  const segments: string[] = [];
  let current: string[] = [];
  for (const p of points) {
    if (p === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${p.x.toFixed(1)},${p.y.toFixed(1)}`);
  }
  if (current.length) segments.push(current.join(' '));
  const summary = trend
    .map((day) => `${day.date}: ${day.hitRate === null ? 'no traffic' : `${formatNumber(day.hitRate, 1)}%`}`)
    .join('; ');
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${label} hit rate per day: ${summary}`}
    >
      <line x1={0} x2={width} y1={height - pad} y2={height - pad} stroke="#c8d0da" />
      {segments.map((segment, i) => (
        <polyline key={i} points={segment} fill="none" stroke="#2457c5" strokeWidth={1.5} />
      ))}
      {points.map((p, i) => (p ? <circle key={i} cx={p.x} cy={p.y} r={1.8} fill="#2457c5" /> : null))}
    </svg>
  );
}

const COLUMNS: Array<Column<DatasourceEfficiency>> = [
  {
    id: 'datasource',
    header: 'Datasource',
    className: 'nowrap',
    cell: (ds) => datasourceLabel(ds.datasourceId, ds.name),
    sortValue: (ds) => ds.datasourceId,
  },
  {
    id: 'trend',
    header: 'Hit rate trend',
    cell: (ds) => <Sparkline trend={ds.hitRateTrend} label={datasourceLabel(ds.datasourceId, ds.name)} />,
  },
  {
    id: 'hit-rate',
    header: 'Hit rate now',
    numeric: true,
    cell: (ds) => (
      <>
        <span data-testid={`hit-rate-${ds.datasourceId}`}>{formatHitRate(ds.hitRate)}</span>
        <div className="small muted">{ds.hitRate.window}</div>
      </>
    ),
    sortValue: (ds) => ds.hitRate.percent,
  },
  {
    id: 'memory',
    header: 'Memory (per hit)',
    numeric: true,
    sortValue: (ds) => ds.memoryBytes,
    cell: (ds) => (
      <>
        {formatBytes(ds.memoryBytes)}
        <div className="small muted">
          {ds.memoryPerHitBytes === null ? 'no hits' : `${formatBytes(ds.memoryPerHitBytes)} per hit`}
        </div>
      </>
    ),
  },
  {
    id: 'hits',
    header: 'Cache hits',
    numeric: true,
    cell: (ds) => formatNumber(ds.cacheHits, 0),
    sortValue: (ds) => ds.cacheHits,
  },
  {
    id: 'warms',
    header: 'Warms · time spent',
    numeric: true,
    sortValue: (ds) => ds.warmingCostSeconds,
    cell: (ds) => (
      <>
        {formatNumber(ds.warmsInPeriod, 0)} · {formatSeconds(ds.warmingCostSeconds)}
        {ds.avgWarmSeconds !== null && <div className="small muted">{formatSeconds(ds.avgWarmSeconds)} each</div>}
      </>
    ),
  },
  {
    id: 'queries',
    header: 'Queries served',
    numeric: true,
    cell: (ds) => formatNumber(ds.queriesServed, 0),
    sortValue: (ds) => ds.queriesServed,
  },
  {
    id: 'per-second',
    header: 'Queries per second of warming',
    numeric: true,
    cell: (ds) => formatNumber(ds.queriesPerWarmingSecond, 1),
    sortValue: (ds) => ds.queriesPerWarmingSecond,
  },
  {
    id: 'verdict',
    header: 'Verdict',
    sortValue: (ds) => VERDICT_META[ds.verdict].label,
    cell: (ds) => (
      <Badge tone={VERDICT_META[ds.verdict].tone} testId={`verdict-${ds.datasourceId}`}>
        {VERDICT_META[ds.verdict].label}
      </Badge>
    ),
  },
];

export function EfficiencyPage() {
  const [days, setDays] = useState<number>(7);
  const report = useEfficiencyReport(days);
  return (
    <section aria-labelledby="page-title" className="monitoring-page">
      <div className="page-header">
        <h1 id="page-title">Cache efficiency</h1>
        <div className="field field-inline">
          <label htmlFor="efficiency-days">Period</label>
          <select id="efficiency-days" value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {PERIODS.map((period) => (
              <option key={period} value={period}>
                Last {period} days
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="muted">
        What each datasource’s cache costs (Redis memory, time spent warming) against what it serves (cache hits,
        queries answered).
      </p>
      {report.data && (
        <p className="small muted" data-testid="efficiency-period">
          {report.data.from.slice(0, 10)} to {report.data.to.slice(0, 10)} ({report.data.periodDays} days)
        </p>
      )}
      <DataTable
        label="Cache efficiency by datasource"
        testId="efficiency-table"
        columns={COLUMNS}
        rows={report.data?.datasources}
        rowKey={(ds) => String(ds.datasourceId)}
        rowProps={(ds) => ({ 'data-testid': `efficiency-row-${ds.datasourceId}` })}
        busy={report.isPlaceholderData}
        loading={report.isPending}
        loadingLabel="Loading the efficiency report…"
        error={report.error}
        emptyTestId="no-efficiency"
        empty="No datasources to report on. Register one under Datasources."
      />
      {report.data && report.data.datasources.length > 0 && (
        <p className="small muted">
          Efficient: many queries per second of warming and little memory per hit. Wasteful: warmed often or holding
          much memory for few hits. Unused: no queries in the period.
        </p>
      )}
    </section>
  );
}
