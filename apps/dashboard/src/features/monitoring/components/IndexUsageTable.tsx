import type { IndexStrategy, IndexUsageStats } from '@ccc/shared-types';
import { useState, type ReactNode } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { useIndexUsage } from '../hooks/useIndexes';
import { Badge } from '../../../components/ui/Badge';
import { EmptyCard, TableCard } from './TableCard';
import { formatBytes, formatMillis, formatNumber, utcDay } from '../../../lib/format';

const USAGE_HISTORY_DAYS = 30;

/**
 * The latest statistics of each index (a strategy's `latestUsage`): the drop flag of today, not of any day in
 * the past. An index's earlier days on demand.
 */
export function IndexUsageTable({ strategies, canWrite }: { strategies: IndexStrategy[]; canWrite: boolean }) {
  const [expanded, setExpanded] = useState<string | null>(null);
  const rows = strategies
    .flatMap((s) => (s.latestUsage ? [{ strategy: s, usage: s.latestUsage }] : []))
    .sort((a, b) => Number(b.usage.isRecommendedForDrop) - Number(a.usage.isRecommendedForDrop) || a.usage.indexName.localeCompare(b.usage.indexName));
  if (rows.length === 0) {
    return (
      <EmptyCard testId="no-index-usage">
        No index statistics yet. They are collected daily from PostgreSQL
        {canWrite ? '; “Collect usage now” takes them now.' : '.'}
      </EmptyCard>
    );
  }
  return (
    <TableCard
      testId="index-usage-table"
      columns={
        <>
          <th scope="col">Index</th>
          <th scope="col">Day</th>
          <th scope="col" className="numeric">Scans</th>
          <th scope="col" className="numeric">Tuples read / fetched</th>
          <th scope="col" className="numeric">Selectivity</th>
          <th scope="col" className="numeric">Avg scan</th>
          <th scope="col" className="numeric">Size</th>
          <th scope="col" className="numeric">Maintenance cost</th>
          <th scope="col">Drop?</th>
        </>
      }
    >
      {rows.map(({ strategy, usage }) => (
        <UsageRows
          key={strategy.id}
          strategy={strategy}
          usage={usage}
          expanded={expanded === strategy.id}
          onToggle={() => setExpanded(expanded === strategy.id ? null : strategy.id)}
        />
      ))}
    </TableCard>
  );
}

function UsageCells({ usage }: { usage: IndexUsageStats }) {
  return (
    <>
      <td className="small nowrap">{usage.statsDate}</td>
      <td className="numeric">{formatNumber(usage.totalScans, 0)}</td>
      <td className="numeric">
        {formatNumber(usage.totalTuplesRead, 0)} / {formatNumber(usage.totalTuplesFetched, 0)}
      </td>
      <td className="numeric">{formatNumber(usage.selectivityRatio, 3)}</td>
      <td className="numeric">{formatMillis(usage.avgScanTimeMs)}</td>
      <td className="numeric">{formatBytes(usage.indexSizeBytes)}</td>
      <td className="numeric">{formatNumber(usage.maintenanceCostScore, 2)}</td>
    </>
  );
}

function DropFlag({ usage }: { usage: IndexUsageStats }) {
  return usage.isRecommendedForDrop ? <Badge tone="error">Drop recommended</Badge> : <Badge tone="ok">Keep</Badge>;
}

interface UsageRowsProps {
  strategy: IndexStrategy;
  usage: IndexUsageStats;
  expanded: boolean;
  onToggle: () => void;
}

function UsageRows({ strategy, usage, expanded, onToggle }: UsageRowsProps) {
  return (
    <>
      <tr data-testid={`index-usage-${usage.indexName}`} aria-current={expanded ? 'true' : undefined}>
        <td>
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
              aria-expanded={expanded}
              aria-label={`Usage history of ${usage.indexName}`}
              onClick={onToggle}
            >
              {expanded ? 'Hide earlier days' : 'Earlier days'}
            </button>
          </div>
        </td>
        <UsageCells usage={usage} />
        <td data-testid={`drop-flag-${usage.indexName}`}>
          <DropFlag usage={usage} />
        </td>
      </tr>
      {expanded && <UsageHistoryRows strategy={strategy} />}
    </>
  );
}

/** The index's earlier days, newest first, under its row. */
function UsageHistoryRows({ strategy }: { strategy: IndexStrategy }) {
  const from = utcDay(new Date(Date.now() - (USAGE_HISTORY_DAYS - 1) * 86_400_000));
  const history = useIndexUsage({ indexStrategyId: strategy.id, from });
  const days = (history.data ?? []).filter((u) => u.id !== strategy.latestUsage?.id);
  let message: ReactNode = null;
  if (history.isPending) message = <Loading label="Loading usage history…" />;
  else if (history.isError) message = <LoadError error={history.error} />;
  else if (days.length === 0) message = <span className="muted">No earlier days in the last {USAGE_HISTORY_DAYS} days.</span>;
  if (message) {
    return (
      <tr className="usage-history-row" data-testid={`index-usage-history-${strategy.indexName}`}>
        <td colSpan={9}>{message}</td>
      </tr>
    );
  }
  return (
    <>
      {days.map((u) => (
        <tr key={u.id} className="usage-history-row" data-testid={`index-usage-history-${strategy.indexName}`}>
          <td className="small muted">earlier</td>
          <UsageCells usage={u} />
          <td>
            <DropFlag usage={u} />
          </td>
        </tr>
      ))}
    </>
  );
}
