import '../monitoring.css';
import {
  INDEX_USAGE_PATTERNS,
  MAINTENANCE_WINDOWS,
  type ApplyIndexResult,
  type IndexCollectionResult,
  type IndexStrategy,
  type IndexUsagePattern,
  type IndexUsageStats,
  type MaintenanceWindow,
} from '@ccc/shared-types';
import { useState, type ReactNode } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { ApiError } from '../../../lib/api-client';
import { formatDateTime } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import { formatBytes } from '../../redis/format';
import { formatMillis, formatNumber, utcDay } from '../format';
import {
  useApplyIndexStrategy,
  useCollectIndexUsage,
  useDeleteIndexStrategy,
  useIndexStrategies,
  useIndexUsage,
  useUpdateIndexStrategy,
} from '../hooks/useIndexes';
import { INDEX_TYPE_LABELS, USAGE_PATTERN_LABELS, WINDOW_LABELS } from '../index-labels';
import { ActionDialog } from './ActionDialog';
import { ApiErrorMessage } from './ApiErrorMessage';
import { Badge } from './Badge';
import { IndexForm } from './IndexForm';

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
  const list = [...(strategies.data ?? [])].sort((a, b) => a.tableName.localeCompare(b.tableName) || a.indexName.localeCompare(b.indexName));
  const managed = list.filter((s) => !s.discovered);
  const discovered = list.filter((s) => s.discovered);
  const tables = [...new Set([...(datasources.data ?? []).map((ds) => ds.sourceTable), ...list.map((s) => s.tableName)])].sort();
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
            <button type="button" className="button button-secondary" disabled={collect.isPending} onClick={() => collect.mutate()}>
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
        {strategies.data &&
          (managed.length === 0 ? (
            <p className="card card-muted" data-testid="no-index-strategies">
              No index strategies yet{canWrite ? ': “New index strategy” adds one for a datasource table (e.g. the columns its warming query orders by).' : '.'}
            </p>
          ) : (
            <StrategyTable
              strategies={managed}
              canWrite={canWrite}
              applyingId={apply.isPending ? apply.variables : null}
              onApply={(s) => apply.mutate(s.id)}
              onEdit={setEditing}
              onDelete={setDeleting}
            />
          ))}
        {discovered.length > 0 && (
          <details>
            <summary className="details-summary">Indexes found on datasource tables ({discovered.length})</summary>
            <StrategyTable strategies={discovered} canWrite={false} applyingId={null} testId="discovered-indexes-table" />
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
        {strategies.data && <IndexUsageTable strategies={usageTable ? list.filter((s) => s.tableName === usageTable) : list} canWrite={canWrite} />}
      </section>

      {editing && <EditStrategyDialog strategy={editing} onClose={() => setEditing(null)} />}
      {deleting && <DeleteStrategyDialog strategy={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}

interface StrategyTableProps {
  strategies: IndexStrategy[];
  canWrite: boolean;
  applyingId: string | null;
  testId?: string;
  onApply?: (strategy: IndexStrategy) => void;
  onEdit?: (strategy: IndexStrategy) => void;
  onDelete?: (strategy: IndexStrategy) => void;
}

function StrategyTable({ strategies, canWrite, applyingId, testId = 'index-strategies-table', onApply, onEdit, onDelete }: StrategyTableProps) {
  return (
    <div className="table-wrap card">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
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
          </tr>
        </thead>
        <tbody>
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
                    {onEdit && (
                      <button type="button" className="button button-small button-secondary" aria-label={`Edit ${s.indexName}`} onClick={() => onEdit(s)}>
                        Edit
                      </button>
                    )}
                    {onDelete && (
                      <button type="button" className="button button-small button-secondary button-danger-outline" aria-label={`Delete ${s.indexName}`} onClick={() => onDelete(s)}>
                        Delete
                      </button>
                    )}
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const USAGE_HISTORY_DAYS = 30;

/**
 * The latest statistics of each index (a strategy's `latestUsage`): the drop flag of today, not of any day in
 * the past. An index's earlier days on demand.
 */
function IndexUsageTable({ strategies, canWrite }: { strategies: IndexStrategy[]; canWrite: boolean }) {
  const [expanded, setExpanded] = useState<string | null>(null);
  const rows = strategies
    .flatMap((s) => (s.latestUsage ? [{ strategy: s, usage: s.latestUsage }] : []))
    .sort((a, b) => Number(b.usage.isRecommendedForDrop) - Number(a.usage.isRecommendedForDrop) || a.usage.indexName.localeCompare(b.usage.indexName));
  if (rows.length === 0) {
    return (
      <p className="card card-muted" data-testid="no-index-usage">
        No index statistics yet. They are collected daily from PostgreSQL
        {canWrite ? '; “Collect usage now” takes them now.' : '.'}
      </p>
    );
  }
  return (
    <div className="table-wrap card">
      <table className="table" data-testid="index-usage-table">
        <thead>
          <tr>
            <th scope="col">Index</th>
            <th scope="col">Day</th>
            <th scope="col" className="numeric">Scans</th>
            <th scope="col" className="numeric">Tuples read / fetched</th>
            <th scope="col" className="numeric">Selectivity</th>
            <th scope="col" className="numeric">Avg scan</th>
            <th scope="col" className="numeric">Size</th>
            <th scope="col" className="numeric">Maintenance cost</th>
            <th scope="col">Drop?</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ strategy, usage }) => (
            <UsageRows
              key={strategy.id}
              strategy={strategy}
              usage={usage}
              expanded={expanded === strategy.id}
              onToggle={() => setExpanded(expanded === strategy.id ? null : strategy.id)}
            />
          ))}
        </tbody>
      </table>
    </div>
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

function EditStrategyDialog({ strategy, onClose }: { strategy: IndexStrategy; onClose: () => void }) {
  const update = useUpdateIndexStrategy();
  const [usagePattern, setUsagePattern] = useState<IndexUsagePattern>(strategy.usagePattern);
  const [buildWindow, setBuildWindow] = useState<MaintenanceWindow>(strategy.maintenanceWindow);
  const [scheduledAt, setScheduledAt] = useState(strategy.scheduledAt ? toLocalInput(strategy.scheduledAt) : '');
  const [isMonitoring, setIsMonitoring] = useState(strategy.isMonitoring);
  const missingTime = buildWindow === 'SCHEDULED' && !scheduledAt;
  return (
    <ActionDialog
      title={`Edit ${strategy.indexName}`}
      confirmLabel="Save"
      pendingLabel="Saving…"
      confirmDisabled={missingTime}
      pending={update.isPending}
      error={update.isError ? <ApiErrorMessage error={update.error} /> : null}
      onCancel={onClose}
      onConfirm={() =>
        update.mutate(
          {
            id: strategy.id,
            body: {
              usagePattern,
              maintenanceWindow: buildWindow,
              scheduledAt: buildWindow === 'SCHEDULED' ? new Date(scheduledAt).toISOString() : null,
              isMonitoring,
            },
          },
          { onSuccess: onClose },
        )
      }
    >
      <p>
        <code className="small">{strategy.indexDefinition}</code>
      </p>
      <div className="field">
        <label htmlFor="edit-index-usage">Used for</label>
        <select id="edit-index-usage" value={usagePattern} onChange={(event) => setUsagePattern(event.target.value as IndexUsagePattern)}>
          {INDEX_USAGE_PATTERNS.map((p) => (
            <option key={p} value={p}>
              {USAGE_PATTERN_LABELS[p]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="edit-index-window">Build window</label>
        <select id="edit-index-window" value={buildWindow} onChange={(event) => setBuildWindow(event.target.value as MaintenanceWindow)}>
          {MAINTENANCE_WINDOWS.map((w) => (
            <option key={w} value={w}>
              {WINDOW_LABELS[w]}
            </option>
          ))}
        </select>
      </div>
      {buildWindow === 'SCHEDULED' && (
        <div className="field">
          <label htmlFor="edit-index-scheduled">Build at (local time)</label>
          <input id="edit-index-scheduled" type="datetime-local" value={scheduledAt} onChange={(event) => setScheduledAt(event.target.value)} />
        </div>
      )}
      <div className="field field-inline">
        <label>
          <input type="checkbox" checked={isMonitoring} onChange={(event) => setIsMonitoring(event.target.checked)} /> Monitor its usage
        </label>
      </div>
    </ActionDialog>
  );
}

/** The 409 the service answers when the index exists and the request did not ask to drop it. */
function needsDropIndex(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && error.details.field === 'dropIndex';
}

/**
 * Deleting a strategy whose index exists drops the index too (the service refuses to leave it behind
 * silently). The list may be stale about that: a 409 naming dropIndex turns the dialog into the drop.
 */
function DeleteStrategyDialog({ strategy, onClose }: { strategy: IndexStrategy; onClose: () => void }) {
  const remove = useDeleteIndexStrategy();
  const [dropIndex, setDropIndex] = useState(strategy.isCreated);
  const foundInDatabase = !strategy.isCreated && dropIndex;
  const error = remove.isError && !needsDropIndex(remove.error) ? <ApiErrorMessage error={remove.error} /> : null;
  return (
    <ActionDialog
      title={`Delete the strategy ${strategy.indexName}?`}
      confirmLabel={dropIndex ? 'Drop index and delete' : 'Delete strategy'}
      pendingLabel={dropIndex ? 'Dropping…' : 'Deleting…'}
      tone="danger"
      pending={remove.isPending}
      error={error}
      onCancel={onClose}
      onConfirm={() =>
        remove.mutate(
          { id: strategy.id, dropIndex },
          {
            onSuccess: onClose,
            onError: (failure) => {
              if (needsDropIndex(failure)) setDropIndex(true);
            },
          },
        )
      }
    >
      {dropIndex ? (
        <p data-testid="drop-index-note">
          {foundInDatabase ? 'The index turned out to exist in the database. ' : 'The index exists in the database. '}
          Deleting the strategy drops <code>{strategy.indexName}</code> from <code>{strategy.tableName}</code> too
          (concurrently, without blocking writes).
        </p>
      ) : (
        <p>The index was never built, so nothing changes in the database.</p>
      )}
    </ActionDialog>
  );
}

/** ISO → the value a datetime-local input shows, in local time. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const offset = date.getTimezoneOffset() * 60_000;
  return new Date(date.getTime() - offset).toISOString().slice(0, 16);
}
