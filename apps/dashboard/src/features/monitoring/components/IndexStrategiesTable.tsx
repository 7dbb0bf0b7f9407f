import type { IndexStrategy } from '@ccc/shared-types';
import { formatDateTime } from '../../../lib/format';
import { INDEX_TYPE_LABELS, USAGE_PATTERN_LABELS, WINDOW_LABELS } from '../index-labels';
import { Badge } from '../../../components/ui/Badge';
import { EditDeleteButtons, TableCard } from './TableCard';

function StrategyStatus({ strategy }: { strategy: IndexStrategy }) {
  if (strategy.isCreated) {
    return (
      <>
        <Badge tone="ok">Created</Badge>
        {strategy.createdInDatabaseAt && <div className="small muted">{formatDateTime(strategy.createdInDatabaseAt)}</div>}
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

interface IndexStrategiesTableProps {
  strategies: IndexStrategy[];
  canWrite: boolean;
  applyingId: string | null;
  testId?: string;
  onApply?: (strategy: IndexStrategy) => void;
  onEdit?: (strategy: IndexStrategy) => void;
  onDelete?: (strategy: IndexStrategy) => void;
}

/** Index strategies (or indexes discovered on datasource tables): what each builds, when, and whether it exists. */
export function IndexStrategiesTable({
  strategies,
  canWrite,
  applyingId,
  testId = 'index-strategies-table',
  onApply,
  onEdit,
  onDelete,
}: IndexStrategiesTableProps) {
  return (
    <TableCard
      testId={testId}
      columns={
        <>
          <th scope="col">Index</th>
          <th scope="col">Type</th>
          <th scope="col">Used for</th>
          <th scope="col">Window</th>
          <th scope="col">Status</th>
          {canWrite && (
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          )}
        </>
      }
    >
      {strategies.map((s) => (
        <tr key={s.id} data-testid={`index-row-${s.indexName}`}>
          <td>
            <strong>{s.indexName}</strong> <span className="muted small">on {s.tableName}</span>
            <div>
              <code className="query-pattern small">{s.indexDefinition}</code>
            </div>
          </td>
          <td>{INDEX_TYPE_LABELS[s.indexType].split(' (')[0]}</td>
          <td>{s.discovered ? <span className="muted">—</span> : USAGE_PATTERN_LABELS[s.usagePattern]}</td>
          <td>
            {s.discovered ? <span className="muted">—</span> : WINDOW_LABELS[s.maintenanceWindow]}
            {s.scheduledAt && <div className="small muted">{formatDateTime(s.scheduledAt)}</div>}
          </td>
          <td data-testid={`index-status-${s.indexName}`}>
            <StrategyStatus strategy={s} />
          </td>
          {canWrite && (
            <td>
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
                {onEdit && onDelete && <EditDeleteButtons label={s.indexName} onEdit={() => onEdit(s)} onDelete={() => onDelete(s)} />}
              </div>
            </td>
          )}
        </tr>
      ))}
    </TableCard>
  );
}
