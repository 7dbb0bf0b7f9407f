import '../monitoring.css';
import type { ApplyIndexResult, IndexCollectionResult, IndexStrategy } from '@ccc/shared-types';
import { useState } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { formatDateTime } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import { useApplyIndexStrategy, useCollectIndexUsage, useIndexStrategies } from '../hooks/useIndexes';
import { WINDOW_LABELS } from '../index-labels';
import { ApiErrorMessage } from './ApiErrorMessage';
import { IndexForm } from './IndexForm';
import { IndexStrategiesTable } from './IndexStrategiesTable';
import { DeleteIndexStrategyDialog, EditIndexStrategyDialog } from './IndexStrategyDialogs';
import { IndexUsageTable } from './IndexUsageTable';

function collectionSummary(result: IndexCollectionResult): string {
  if (!result.ran) return 'Another replica is collecting index statistics right now; they will show here shortly.';
  return `Collected statistics of ${result.indexes} index${result.indexes === 1 ? '' : 'es'} (${result.discovered} newly discovered, ${result.flaggedForDrop} flagged for drop).`;
}

function applySummary(result: ApplyIndexResult): { tone: 'success' | 'info'; text: string } {
  switch (result.status) {
    case 'created':
      return { tone: 'success', text: `${result.strategy.indexName} was built.` };
    case 'exists':
      return { tone: 'info', text: `${result.strategy.indexName} already exists in the database.` };
    case 'deferred':
      return {
        tone: 'info',
        text: `${result.strategy.indexName} will be built when its ${WINDOW_LABELS[result.strategy.maintenanceWindow].toLowerCase()} window opens${result.windowOpensAt ? ` (${formatDateTime(result.windowOpensAt)})` : ''}.`,
      };
  }
}

export function IndexesPage() {
  const canWrite = useCanWriteSettings();
  const strategies = useIndexStrategies();
  const datasources = useDatasources();
  const collect = useCollectIndexUsage();
  const apply = useApplyIndexStrategy();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<IndexStrategy | null>(null);
  const [deleting, setDeleting] = useState<IndexStrategy | null>(null);
  const [usageTable, setUsageTable] = useState('');
  const list = [...(strategies.data ?? [])].sort(
    (a, b) => a.tableName.localeCompare(b.tableName) || a.indexName.localeCompare(b.indexName),
  );
  const managed = list.filter((s) => !s.discovered);
  const discovered = list.filter((s) => s.discovered);
  const tables = [
    ...new Set([...(datasources.data ?? []).map((ds) => ds.sourceTable), ...list.map((s) => s.tableName)]),
  ].sort();
  const appliedResult = apply.data ? applySummary(apply.data) : null;

  return (
    <section aria-labelledby="page-title" className="monitoring-page">
      <div className="page-header">
        <h1 id="page-title">Indexes</h1>
        {canWrite && (
          <div className="page-actions">
            {!creating && (
              <button type="button" className="button" onClick={() => setCreating(true)}>
                New index strategy
              </button>
            )}
            <button
              type="button"
              className="button button-secondary"
              disabled={collect.isPending}
              onClick={() => collect.mutate()}
            >
              {collect.isPending ? 'Collecting…' : 'Collect usage now'}
            </button>
          </div>
        )}
      </div>
      <p className="muted">
        Index strategies for the datasources’ source tables: the service builds each index in its window and collects
        how much it is used, flagging large unused indexes to drop.
      </p>
      {collect.data && (
        <div className="callout callout-info" role="status" data-testid="collection-result">
          <p>{collectionSummary(collect.data)}</p>
        </div>
      )}
      {appliedResult && (
        <div className={`callout callout-${appliedResult.tone}`} role="status" data-testid="apply-result">
          <p>{appliedResult.text}</p>
        </div>
      )}
      {apply.isError && (
        <div className="callout callout-error" role="alert">
          <ApiErrorMessage error={apply.error} />
        </div>
      )}
      {creating && <IndexForm datasources={datasources.data} onDone={() => setCreating(false)} />}

      <section aria-labelledby="strategies-title" className="page-section">
        <h2 id="strategies-title">Strategies</h2>
        {strategies.isPending && <Loading label="Loading index strategies…" />}
        {strategies.isError && <LoadError error={strategies.error} />}
        {strategies.data && (
          <IndexStrategiesTable
            label="Index strategies"
            strategies={managed}
            canWrite={canWrite}
            applyingId={apply.isPending ? apply.variables : null}
            onApply={(s) => apply.mutate(s.id)}
            onEdit={setEditing}
            onDelete={setDeleting}
            emptyTestId="no-index-strategies"
            empty={`No index strategies yet${canWrite ? ': “New index strategy” adds one for a datasource table (e.g. the columns its warming query orders by).' : '.'}`}
          />
        )}
        {discovered.length > 0 && (
          <details>
            <summary className="details-summary">Indexes found on datasource tables ({discovered.length})</summary>
            <IndexStrategiesTable
              label="Indexes found on datasource tables"
              strategies={discovered}
              canWrite={false}
              applyingId={null}
              testId="discovered-indexes-table"
              empty="None."
            />
          </details>
        )}
      </section>

      <section aria-labelledby="usage-title" className="page-section">
        <div className="section-header">
          <h2 id="usage-title">Usage</h2>
          <div className="field field-inline">
            <label htmlFor="usage-table">Table</label>
            <select id="usage-table" value={usageTable} onChange={(event) => setUsageTable(event.target.value)}>
              <option value="">All tables</option>
              {tables.map((table) => (
                <option key={table} value={table}>
                  {table}
                </option>
              ))}
            </select>
          </div>
        </div>
        {strategies.data && (
          <IndexUsageTable
            strategies={usageTable ? list.filter((s) => s.tableName === usageTable) : list}
            canWrite={canWrite}
          />
        )}
      </section>

      {editing && <EditIndexStrategyDialog strategy={editing} onClose={() => setEditing(null)} />}
      {deleting && <DeleteIndexStrategyDialog strategy={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}
