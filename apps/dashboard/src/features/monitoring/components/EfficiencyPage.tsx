import '../monitoring.css';
import type { DatasourceEfficiency } from '@ccc/shared-types';
import { useState } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { useEfficiencyReport } from '../hooks/useEfficiency';
import { Badge } from '../../../components/ui/Badge';
import { EmptyCard, TableCard } from './TableCard';
import { VERDICT_META } from '../labels';
import { datasourceLabel, formatBytes, formatNumber, formatPercent, formatSeconds } from '../../../lib/format';

const PERIODS = [7, 14, 30] as const;

/** A tiny hit-rate line per day (0–100 %), gaps on days without traffic. */
export function Sparkline({ trend, label }: { trend: DatasourceEfficiency['hitRateTrend']; label: string }) {
  const width = 120;
  const height = 28;
  const pad = 3;
  const step = trend.length > 1 ? (width - 2 * pad) / (trend.length - 1) : 0;
  const points = trend.map((day, i) =>
    day.hitRate === null ? null : { x: trend.length > 1 ? pad + i * step : width / 2, y: height - pad - (day.hitRate / 100) * (height - 2 * pad) },
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
  const summary = trend.map((day) => `${day.date}: ${day.hitRate === null ? 'no traffic' : `${formatNumber(day.hitRate, 1)}%`}`).join('; ');
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label} hit rate per day: ${summary}`}>
      <line x1={0} x2={width} y1={height - pad} y2={height - pad} stroke="#c8d0da" />
      {segments.map((segment, i) => (
        <polyline key={i} points={segment} fill="none" stroke="#2457c5" strokeWidth={1.5} />
      ))}
      {points.map((p, i) => (p ? <circle key={i} cx={p.x} cy={p.y} r={1.8} fill="#2457c5" /> : null))}
    </svg>
  );
}

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
      {report.isPending && <Loading label="Loading the efficiency report…" />}
      {report.isError && <LoadError error={report.error} />}
      {report.data &&
        (report.data.datasources.length === 0 ? (
          <EmptyCard testId="no-efficiency">No datasources to report on. Register one under Datasources.</EmptyCard>
        ) : (
          <>
            <p className="small muted" data-testid="efficiency-period">
              {report.data.from.slice(0, 10)} to {report.data.to.slice(0, 10)} ({report.data.periodDays} days)
            </p>
            <TableCard
              testId="efficiency-table"
              busy={report.isPlaceholderData}
              columns={
                <>
                  <th scope="col">Datasource</th>
                  <th scope="col">Hit rate trend</th>
                  <th scope="col" className="numeric">Hit rate now</th>
                  <th scope="col" className="numeric">Memory (per hit)</th>
                  <th scope="col" className="numeric">Cache hits</th>
                  <th scope="col" className="numeric">Warms · time spent</th>
                  <th scope="col" className="numeric">Queries served</th>
                  <th scope="col" className="numeric">Queries per second of warming</th>
                  <th scope="col">Verdict</th>
                </>
              }
            >
              {report.data.datasources.map((ds) => {
                const label = datasourceLabel(ds.datasourceId, ds.name);
                return (
                  <tr key={ds.datasourceId} data-testid={`efficiency-row-${ds.datasourceId}`}>
                    <td className="nowrap">{label}</td>
                    <td>
                      <Sparkline trend={ds.hitRateTrend} label={label} />
                    </td>
                    <td className="numeric">{formatPercent(ds.currentHitRate)}</td>
                    <td className="numeric">
                      {formatBytes(ds.memoryBytes)}
                      <div className="small muted">{ds.memoryPerHitBytes === null ? 'no hits' : `${formatBytes(ds.memoryPerHitBytes)} per hit`}</div>
                    </td>
                    <td className="numeric">{formatNumber(ds.cacheHits, 0)}</td>
                    <td className="numeric">
                      {formatNumber(ds.warmsInPeriod, 0)} · {formatSeconds(ds.warmingCostSeconds)}
                      {ds.avgWarmSeconds !== null && <div className="small muted">{formatSeconds(ds.avgWarmSeconds)} each</div>}
                    </td>
                    <td className="numeric">{formatNumber(ds.queriesServed, 0)}</td>
                    <td className="numeric">{formatNumber(ds.queriesPerWarmingSecond, 1)}</td>
                    <td>
                      <Badge tone={VERDICT_META[ds.verdict].tone} testId={`verdict-${ds.datasourceId}`}>
                        {VERDICT_META[ds.verdict].label}
                      </Badge>
                    </td>
                  </tr>
                );
              })}
            </TableCard>
            <p className="small muted">
              Efficient: many queries per second of warming and little memory per hit. Wasteful: warmed often or holding
              much memory for few hits. Unused: no queries in the period.
            </p>
          </>
        ))}
    </section>
  );
}
