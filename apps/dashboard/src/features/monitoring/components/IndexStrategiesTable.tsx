import type { IndexStrategy } from '@ccc/shared-types';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { formatDateTime } from '../../../lib/format';
import { INDEX_TYPE_LABELS, USAGE_PATTERN_LABELS, WINDOW_LABELS } from '../index-labels';
import { EditDeleteButtons } from './RowActions';

function StrategyStatus({ strategy }: { strategy: IndexStrategy }) {
  if (strategy.isCreated) {
    return (
      <>
        <Badge tone="ok">Created</Badge>
        {strategy.createdInDatabaseAt && (
          <div className="small muted">{formatDateTime(strategy.createdInDatabaseAt)}</div>
        )}
      </>
    );
  }
  if (strategy.lastError) {
    return (
      <>
        <Badge tone="error">Failed</Badge>
        <div className="small text-error">{strategy.lastError}</div>
      </>
    );
  }
  if (strategy.applyRequestedAt) return <Badge tone="info">Waiting for its window</Badge>;
  return <Badge tone="neutral">Not created</Badge>;
}

const COLUMNS: Array<Column<IndexStrategy>> = [
  {
    id: 'index',
    header: 'Index',
    sortValue: (s) => s.indexName,
    cell: (s) => (
      <>
        <strong>{s.indexName}</strong> <span className="muted small">on {s.tableName}</span>
        <div>
          <code className="query-pattern small">{s.indexDefinition}</code>
        </div>
      </>
    ),
  },
  {
    id: 'type',
    header: 'Type',
    cell: (s) => INDEX_TYPE_LABELS[s.indexType].split(' (')[0],
    sortValue: (s) => s.indexType,
  },
  {
    id: 'usage',
    header: 'Used for',
    cell: (s) => (s.discovered ? <span className="muted">—</span> : USAGE_PATTERN_LABELS[s.usagePattern]),
  },
  {
    id: 'window',
    header: 'Window',
    cell: (s) => (
      <>
        {s.discovered ? <span className="muted">—</span> : WINDOW_LABELS[s.maintenanceWindow]}
        {s.scheduledAt && <div className="small muted">{formatDateTime(s.scheduledAt)}</div>}
      </>
    ),
  },
  {
    id: 'status',
    header: 'Status',
    cellTestId: (s) => `index-status-${s.indexName}`,
    cell: (s) => <StrategyStatus strategy={s} />,
  },
];

interface IndexStrategiesTableProps {
  label: string;
  strategies: IndexStrategy[];
  canWrite: boolean;
  applyingId: string | null;
  testId?: string;
  empty: string;
  emptyTestId?: string;
  onApply?: (strategy: IndexStrategy) => void;
  onEdit?: (strategy: IndexStrategy) => void;
  onDelete?: (strategy: IndexStrategy) => void;
}

/** Index strategies (or indexes discovered on datasource tables): what each builds, when, and whether it exists. */
export function IndexStrategiesTable({
  label,
  strategies,
  canWrite,
  applyingId,
  testId = 'index-strategies-table',
  empty,
  emptyTestId,
  onApply,
  onEdit,
  onDelete,
}: IndexStrategiesTableProps) {
  const actions: Column<IndexStrategy> = {
    id: 'actions',
    header: 'Actions',
    hideHeader: true,
    cell: (s) => (
      <div className="row-actions">
        {!s.isCreated && onApply && (
          <button
            type="button"
            className="button button-small"
            aria-label={`Apply ${s.indexName}`}
            disabled={applyingId === s.id}
            onClick={() => onApply(s)}
          >
            {applyingId === s.id ? 'Applying…' : 'Apply'}
          </button>
        )}
        {onEdit && onDelete && (
          <EditDeleteButtons label={s.indexName} onEdit={() => onEdit(s)} onDelete={() => onDelete(s)} />
        )}
      </div>
    ),
  };
  return (
    <DataTable
      label={label}
      testId={testId}
      columns={canWrite ? [...COLUMNS, actions] : COLUMNS}
      rows={strategies}
      rowKey={(s) => s.id}
      rowProps={(s) => ({ 'data-testid': `index-row-${s.indexName}` })}
      empty={empty}
      emptyTestId={emptyTestId}
    />
  );
}
