import { useState } from 'react';
import { LineChart } from '../../../components/charts/LineChart';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { useQueryPatternHistory, useQueryPatterns, useSlowQueries } from '../hooks/useQueryPerformance';
import { EmptyCard, TableCard } from './TableCard';
import { datasourceLabel, formatMillis, formatNumber, formatUtcDateTime } from '../../../lib/format';

const SLOW_LIMIT = 20;
const PATTERN_LIMIT = 10;
const dayAndTime = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
const timeWithSeconds = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC' });
const timeWithMillis = new Intl.DateTimeFormat('en-GB', { minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, timeZone: 'UTC' });

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
  if (slow.isPending) return <Loading label="Loading slow queries…" />;
  if (slow.isError) return <LoadError error={slow.error} />;
  if (slow.data.length === 0) {
    return (
      <EmptyCard testId="no-slow-queries">
        No slow queries in this period. Queries the service runs against datasource tables (warming, answers on a cold
        cache) are recorded with their plan; those over the slow-query threshold are listed here.
      </EmptyCard>
    );
  }
  return (
    <TableCard
      testId="slow-queries-table"
      columns={
        <>
          <th scope="col">Executed</th>
          <th scope="col">Query</th>
          <th scope="col" className="numeric">Time</th>
          <th scope="col" className="numeric">Rows examined / returned</th>
          <th scope="col">Index</th>
          <th scope="col">Context</th>
        </>
      }
    >
      {slow.data.map((entry) => (
        <tr key={entry.id}>
          <td className="small">
            <time dateTime={entry.executedAt}>{formatUtcDateTime(entry.executedAt)}</time>
            {entry.datasourceId !== null && <div className="muted">{datasourceLabel(entry.datasourceId, names.get(entry.datasourceId))}</div>}
          </td>
          <td>
            <Pattern text={entry.queryPattern} />
          </td>
          <td className="numeric">
            {formatMillis(entry.executionTimeMs)}
            <div className="small muted">limit {formatMillis(entry.slowQueryThresholdMs)}</div>
          </td>
          <td className="numeric">
            {formatNumber(entry.rowsExamined, 0)} / {formatNumber(entry.rowsReturned, 0)}
          </td>
          <td>{entry.usedIndex ? (entry.indexesUsed ?? []).join(', ') || 'yes' : <span className="text-error">sequential scan</span>}</td>
          <td className="small">{entry.applicationContext ?? '—'}</td>
        </tr>
      ))}
    </TableCard>
  );
}

export function QueryPatterns({ from, to, datasourceId }: Window) {
  const patterns = useQueryPatterns({ from, to, datasourceId, limit: PATTERN_LIMIT });
  const [selected, setSelected] = useState<string | null>(null);
  if (patterns.isPending) return <Loading label="Loading query patterns…" />;
  if (patterns.isError) return <LoadError error={patterns.error} />;
  if (patterns.data.length === 0) {
    return (
      <EmptyCard testId="no-query-patterns">
        No queries recorded in this period. Warm a datasource, or query one with a cold cache, and its queries appear here
        grouped by shape.
      </EmptyCard>
    );
  }
  return (
    <>
      <TableCard
        testId="query-patterns-table"
        columns={
          <>
            <th scope="col">Query pattern</th>
            <th scope="col" className="numeric">Executions</th>
            <th scope="col" className="numeric">Avg</th>
            <th scope="col" className="numeric">Max</th>
            <th scope="col" className="numeric">Total</th>
            <th scope="col" className="numeric">Slow</th>
            <th scope="col">Last run</th>
            <th scope="col">
              <span className="visually-hidden">History</span>
            </th>
          </>
        }
      >
        {patterns.data.map((p) => (
          <tr key={p.queryHash} aria-current={selected === p.queryHash ? 'true' : undefined}>
            <td>
              <Pattern text={p.queryPattern} />
            </td>
            <td className="numeric">{formatNumber(p.executions, 0)}</td>
            <td className="numeric">{formatMillis(p.avgTimeMs)}</td>
            <td className="numeric">{formatMillis(p.maxTimeMs)}</td>
            <td className="numeric">{formatMillis(p.totalTimeMs)}</td>
            <td className="numeric">{p.slowExecutions > 0 ? <span className="text-error">{formatNumber(p.slowExecutions, 0)}</span> : 0}</td>
            <td className="small">
              <time dateTime={p.lastExecutedAt}>{formatUtcDateTime(p.lastExecutedAt)}</time>
            </td>
            <td>
              <button
                type="button"
                className="button button-small button-secondary"
                aria-label={`History of pattern ${p.queryHash.slice(0, 12)}`}
                onClick={() => setSelected(selected === p.queryHash ? null : p.queryHash)}
              >
                {selected === p.queryHash ? 'Hide' : 'History'}
              </button>
            </td>
          </tr>
        ))}
      </TableCard>
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
            series={[{ id: hash, label: 'Execution time', points: history.data.map((e) => ({ x: Date.parse(e.executedAt), y: e.executionTimeMs })) }]}
            yLabel="Time (ms)"
            formatY={(value) => formatNumber(value, 1)}
            formatX={(ms) => timeFormat(history.data).format(ms)}
          />
        ))}
    </div>
  );
}
