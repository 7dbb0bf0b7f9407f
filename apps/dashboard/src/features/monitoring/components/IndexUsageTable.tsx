import type { IndexStrategy, IndexUsageStats } from '@ccc/shared-types';
import { useState, type ReactNode } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { formatBytes, formatMillis, formatNumber, utcDay } from '../../../lib/format';
import { useNow } from '../../../lib/use-now';
import { useIndexUsage } from '../hooks/useIndexes';

const USAGE_HISTORY_DAYS = 30;

interface UsageRow {
  strategy: IndexStrategy;
  usage: IndexUsageStats;
}

/** The statistics cells of one day, shared by an index's latest row and its earlier days. */
const STAT_COLUMNS: Array<Column<IndexUsageStats>> = [
  { id: 'day', header: 'Day', className: 'small nowrap', cell: (u) => u.statsDate, sortValue: (u) => u.statsDate },
  {
    id: 'scans',
    header: 'Scans',
    numeric: true,
    cell: (u) => formatNumber(u.totalScans, 0),
    sortValue: (u) => u.totalScans,
  },
  {
    id: 'tuples',
    header: 'Tuples read / fetched',
    numeric: true,
    cell: (u) => `${formatNumber(u.totalTuplesRead, 0)} / ${formatNumber(u.totalTuplesFetched, 0)}`,
    sortValue: (u) => u.totalTuplesRead,
  },
  {
    id: 'selectivity',
    header: 'Selectivity',
    numeric: true,
    cell: (u) => formatNumber(u.selectivityRatio, 3),
    sortValue: (u) => u.selectivityRatio,
  },
  {
    id: 'avg-scan',
    header: 'Avg scan',
    numeric: true,
    cell: (u) => formatMillis(u.avgScanTimeMs),
    sortValue: (u) => u.avgScanTimeMs,
  },
  {
    id: 'size',
    header: 'Size',
    numeric: true,
    cell: (u) => formatBytes(u.indexSizeBytes),
    sortValue: (u) => u.indexSizeBytes,
  },
  {
    id: 'cost',
    header: 'Maintenance cost',
    numeric: true,
    cell: (u) => formatNumber(u.maintenanceCostScore, 2),
    sortValue: (u) => u.maintenanceCostScore,
  },
];

function DropFlag({ usage }: { usage: IndexUsageStats }) {
  return usage.isRecommendedForDrop ? <Badge tone="error">Drop recommended</Badge> : <Badge tone="ok">Keep</Badge>;
}

/**
 * The latest statistics of each index (a strategy's `latestUsage`): the drop flag of today, not of any day in
 * the past. An index's earlier days on demand, under its row.
 */
export function IndexUsageTable({ strategies, canWrite }: { strategies: IndexStrategy[]; canWrite: boolean }) {
  const [expanded, setExpanded] = useState<string | null>(null);
  const rows = strategies
    .flatMap((s) => (s.latestUsage ? [{ strategy: s, usage: s.latestUsage }] : []))
    .sort(
      (a, b) =>
        Number(b.usage.isRecommendedForDrop) - Number(a.usage.isRecommendedForDrop) ||
        a.usage.indexName.localeCompare(b.usage.indexName),
    );
  const columns: Array<Column<UsageRow>> = [
    {
      id: 'index',
      header: 'Index',
      sortValue: ({ usage }) => usage.indexName,
      cell: ({ strategy, usage }) => (
        <>
          <strong>{usage.indexName}</strong> <span className="small muted">on {usage.tableName}</span>
          {(usage.isPrimary || usage.isUnique) && (
            <div>
              <Badge tone="neutral">{usage.isPrimary ? 'Primary key' : 'Unique'}</Badge>
            </div>
          )}
          <div>
            <button
              type="button"
              className="button button-small button-secondary"
              aria-expanded={expanded === strategy.id}
              aria-label={`Earlier days of ${usage.indexName}`}
              onClick={() => setExpanded(expanded === strategy.id ? null : strategy.id)}
            >
              Earlier days
            </button>
          </div>
        </>
      ),
    },
    ...STAT_COLUMNS.map(({ id, header, numeric, className, cell, sortValue }): Column<UsageRow> => ({
      id,
      header,
      numeric,
      className,
      cell: (row) => cell(row.usage),
      sortValue: sortValue && ((row) => sortValue(row.usage)),
    })),
    {
      id: 'drop',
      header: 'Drop?',
      cellTestId: ({ usage }) => `drop-flag-${usage.indexName}`,
      sortValue: ({ usage }) => usage.isRecommendedForDrop,
      cell: ({ usage }) => <DropFlag usage={usage} />,
    },
  ];
  return (
    <DataTable
      label="Index usage, latest day"
      testId="index-usage-table"
      columns={columns}
      rows={rows}
      rowKey={({ strategy }) => strategy.id}
      rowProps={({ strategy, usage }) => ({
        'data-testid': `index-usage-${usage.indexName}`,
        'aria-current': expanded === strategy.id ? 'true' : undefined,
      })}
      renderAfterRow={({ strategy }) =>
        expanded === strategy.id && <UsageHistoryRows strategy={strategy} columnCount={columns.length} />
      }
      emptyTestId="no-index-usage"
      empty={`No index statistics yet. They are collected daily from PostgreSQL${canWrite ? '; “Collect usage now” takes them now.' : '.'}`}
    />
  );
}

/** The index's earlier days, newest first, under its row. */
function UsageHistoryRows({ strategy, columnCount }: { strategy: IndexStrategy; columnCount: number }) {
  const today = useNow(86_400_000);
  const from = utcDay(new Date(today - (USAGE_HISTORY_DAYS - 1) * 86_400_000));
  const history = useIndexUsage({ indexStrategyId: strategy.id, from });
  const days = (history.data ?? []).filter((u) => u.id !== strategy.latestUsage?.id);
  let message: ReactNode = null;
  if (history.isPending) message = <Loading label="Loading usage history…" />;
  else if (history.isError) message = <LoadError error={history.error} />;
  else if (days.length === 0)
    message = <span className="muted">No earlier days in the last {USAGE_HISTORY_DAYS} days.</span>;
  if (message) {
    return (
      <tr className="usage-history-row" data-testid={`index-usage-history-${strategy.indexName}`}>
        <td colSpan={columnCount}>{message}</td>
      </tr>
    );
  }
  return (
    <>
      {days.map((u) => (
        <tr key={u.id} className="usage-history-row" data-testid={`index-usage-history-${strategy.indexName}`}>
          <td className="small muted">earlier</td>
          {STAT_COLUMNS.map((column) => (
            <td
              key={column.id}
              className={[column.numeric ? 'numeric' : '', column.className ?? ''].join(' ').trim() || undefined}
            >
              {column.cell(u)}
            </td>
          ))}
          <td>
            <DropFlag usage={u} />
          </td>
        </tr>
      ))}
    </>
  );
}
