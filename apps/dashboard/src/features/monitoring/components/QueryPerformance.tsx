import type { QueryPatternSummary, QueryPerformanceEntry } from '@ccc/shared-types';
import { useState } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { LineChart } from '../../../components/charts/LineChart';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { datasourceLabel, formatMillis, formatNumber, formatUtcDateTime } from '../../../lib/format';
import { useQueryPatternHistory, useQueryPatterns, useSlowQueries } from '../hooks/useQueryPerformance';
import { isWarmingRead, queryContextLabel } from '../labels';

const SLOW_LIMIT = 20;
const PATTERN_LIMIT = 10;
const dayAndTime = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});
const timeWithSeconds = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'UTC',
});
const timeWithMillis = new Intl.DateTimeFormat('en-GB', {
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  timeZone: 'UTC',
});

/** Axis labels as fine as the executions are apart: days, seconds, or milliseconds. */
function timeFormat(entries: Array<{ executedAt: string }>): Intl.DateTimeFormat {
  const times = entries.map((e) => Date.parse(e.executedAt));
  const span = Math.max(...times) - Math.min(...times);
  if (span === 0) return dayAndTime;
  return span < 60_000 ? timeWithMillis : span < 3_600_000 ? timeWithSeconds : dayAndTime;
}

function Pattern({ text }: { text: string }) {
  return (
    <code className="query-pattern" title={text}>
      {text.length > 160 ? `${text.slice(0, 159)}…` : text}
    </code>
  );
}

/** The period the page shows: ISO timestamps, `to` exclusive. */
interface Window {
  from: string;
  to: string;
  datasourceId?: number;
}

export function SlowQueries({ from, to, datasourceId, names }: Window & { names: ReadonlyMap<number, string> }) {
  const slow = useSlowQueries({ from, to, datasourceId, limit: SLOW_LIMIT });
  const columns: Array<Column<QueryPerformanceEntry>> = [
    {
      id: 'executed',
      header: 'Executed',
      className: 'small',
      sortValue: (entry) => entry.executedAt,
      cell: (entry) => (
        <>
          <time dateTime={entry.executedAt}>{formatUtcDateTime(entry.executedAt)}</time>
          {entry.datasourceId !== null && (
            <div className="muted">{datasourceLabel(entry.datasourceId, names.get(entry.datasourceId))}</div>
          )}
        </>
      ),
    },
    { id: 'query', header: 'Query', cell: (entry) => <Pattern text={entry.queryPattern} /> },
    {
      id: 'time',
      header: 'Time',
      numeric: true,
      sortValue: (entry) => entry.executionTimeMs,
      cell: (entry) => (
        <>
          {formatMillis(entry.executionTimeMs)}
          <div className="small muted">limit {formatMillis(entry.slowQueryThresholdMs)}</div>
        </>
      ),
    },
    {
      id: 'rows',
      header: 'Rows examined / returned',
      numeric: true,
      sortValue: (entry) => entry.rowsExamined,
      cell: (entry) => `${formatNumber(entry.rowsExamined, 0)} / ${formatNumber(entry.rowsReturned, 0)}`,
    },
    {
      id: 'index',
      header: 'Index',
      // The service's warming read scans the whole table on purpose: not a red flag (it is here only when genuinely slow).
      cell: (entry) =>
        entry.usedIndex ? (
          (entry.indexesUsed ?? []).join(', ') || 'yes'
        ) : isWarmingRead(entry.applicationContext) ? (
          'full read (expected)'
        ) : (
          <span className="text-error">sequential scan</span>
        ),
    },
    {
      id: 'context',
      header: 'Context',
      className: 'small',
      cell: (entry) => (
        <span title={entry.applicationContext ?? undefined}>{queryContextLabel(entry.applicationContext)}</span>
      ),
    },
  ];
  return (
    <DataTable
      label="Slow queries"
      testId="slow-queries-table"
      columns={columns}
      rows={slow.data}
      rowKey={(entry) => entry.id}
      loading={slow.isPending}
      loadingLabel="Loading slow queries…"
      error={slow.error}
      emptyTestId="no-slow-queries"
      empty="No slow queries in this period. Queries the service runs against datasource tables (warming, answers on a cold cache) are recorded with their plan; those over the slow-query threshold are listed here."
    />
  );
}

export function QueryPatterns({ from, to, datasourceId }: Window) {
  const patterns = useQueryPatterns({ from, to, datasourceId, limit: PATTERN_LIMIT });
  const [selected, setSelected] = useState<string | null>(null);
  const columns: Array<Column<QueryPatternSummary>> = [
    { id: 'pattern', header: 'Query pattern', cell: (p) => <Pattern text={p.queryPattern} /> },
    {
      id: 'executions',
      header: 'Executions',
      numeric: true,
      cell: (p) => formatNumber(p.executions, 0),
      sortValue: (p) => p.executions,
    },
    { id: 'avg', header: 'Avg', numeric: true, cell: (p) => formatMillis(p.avgTimeMs), sortValue: (p) => p.avgTimeMs },
    { id: 'max', header: 'Max', numeric: true, cell: (p) => formatMillis(p.maxTimeMs), sortValue: (p) => p.maxTimeMs },
    {
      id: 'total',
      header: 'Total',
      numeric: true,
      cell: (p) => formatMillis(p.totalTimeMs),
      sortValue: (p) => p.totalTimeMs,
    },
    {
      id: 'slow',
      header: 'Slow',
      numeric: true,
      sortValue: (p) => p.slowExecutions,
      cell: (p) => (p.slowExecutions > 0 ? <span className="text-error">{formatNumber(p.slowExecutions, 0)}</span> : 0),
    },
    {
      id: 'last',
      header: 'Last run',
      className: 'small',
      sortValue: (p) => p.lastExecutedAt,
      cell: (p) => <time dateTime={p.lastExecutedAt}>{formatUtcDateTime(p.lastExecutedAt)}</time>,
    },
    {
      id: 'history',
      header: 'History',
      hideHeader: true,
      cell: (p) => (
        <button
          type="button"
          className="button button-small button-secondary"
          aria-label={`History of pattern ${p.queryHash.slice(0, 12)}`}
          aria-expanded={selected === p.queryHash}
          onClick={() => setSelected(selected === p.queryHash ? null : p.queryHash)}
        >
          History
        </button>
      ),
    },
  ];
  return (
    <>
      <DataTable
        label="Top query patterns by total time"
        testId="query-patterns-table"
        columns={columns}
        rows={patterns.data}
        rowKey={(p) => p.queryHash}
        rowProps={(p) => ({ 'aria-current': selected === p.queryHash ? 'true' : undefined })}
        loading={patterns.isPending}
        loadingLabel="Loading query patterns…"
        error={patterns.error}
        emptyTestId="no-query-patterns"
        empty="No queries recorded in this period. Warm a datasource, or query one with a cold cache, and its queries appear here grouped by shape."
      />
      {selected && <PatternHistory hash={selected} from={from} to={to} datasourceId={datasourceId} />}
    </>
  );
}

function PatternHistory({ hash, from, to, datasourceId }: Window & { hash: string }) {
  const history = useQueryPatternHistory(hash, { from, to, datasourceId });
  return (
    <div className="card chart-narrow" data-testid="pattern-history">
      <h3 className="subheading">
        Executions of pattern <code>{hash.slice(0, 12)}</code>
      </h3>
      {history.isPending && <Loading label="Loading executions…" />}
      {history.isError && <LoadError error={history.error} />}
      {history.data &&
        (history.data.length === 0 ? (
          <p className="muted">No executions recorded in this period.</p>
        ) : (
          <LineChart
            title="Execution time of this query pattern"
            description={`${history.data.length} executions, time in milliseconds.`}
            series={[
              {
                id: hash,
                label: 'Execution time',
                points: history.data.map((e) => ({ x: Date.parse(e.executedAt), y: e.executionTimeMs })),
              },
            ]}
            yLabel="Time (ms)"
            formatY={(value) => formatNumber(value, 1)}
            formatX={(ms) => timeFormat(history.data).format(ms)}
          />
        ))}
    </div>
  );
}
