import '../monitoring.css';
import { THRESHOLD_METRICS, type PerformanceThreshold } from '@ccc/shared-types';
import { useState } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import { useDeleteThreshold, useThresholds } from '../hooks/useThresholds';
import { directionWords } from '../threshold-rules';
import { ActionDialog } from '../../../components/ui/Dialog';
import { ApiErrorMessage } from './ApiErrorMessage';
import { Badge } from '../../../components/ui/Badge';
import { datasourceNames } from './DatasourceSelect';
import { EditDeleteButtons, EmptyCard, TableCard } from './TableCard';
import { ThresholdForm } from './ThresholdForm';
import { formatInUnit, METRIC_LABELS } from '../labels';
import { datasourceLabel } from '../../../lib/format';

function appliesTo(threshold: PerformanceThreshold, names: Map<number, string>): string {
  const { scope } = THRESHOLD_METRICS[threshold.metricType];
  if (scope === 'redis') return 'Redis';
  if (scope === 'database') return 'Database';
  const parts: string[] = [];
  if (scope === 'datasource') {
    parts.push(threshold.datasourceId === null ? 'Every datasource' : datasourceLabel(threshold.datasourceId, names.get(threshold.datasourceId)));
  }
  if (threshold.tableName) parts.push(threshold.tableName);
  else if (scope === 'table') parts.push('Every table');
  return parts.join(' · ');
}

export function ThresholdsPage() {
  const canWrite = useCanWriteSettings();
  const [showInactive, setShowInactive] = useState(false);
  const thresholds = useThresholds(showInactive);
  const datasources = useDatasources();
  const names = datasourceNames(datasources.data);
  const [editing, setEditing] = useState<PerformanceThreshold | 'new' | null>(null);
  const [deleting, setDeleting] = useState<PerformanceThreshold | null>(null);
  const remove = useDeleteThreshold();

  const rows = [...(thresholds.data ?? [])].sort(
    (a, b) => Number(b.isActive) - Number(a.isActive) || METRIC_LABELS[a.metricType].localeCompare(METRIC_LABELS[b.metricType]),
  );

  return (
    <section aria-labelledby="page-title" className="monitoring-page">
      <div className="page-header">
        <h1 id="page-title">Thresholds</h1>
        {canWrite && editing === null && (
          <button type="button" className="button" onClick={() => setEditing('new')}>
            New threshold
          </button>
        )}
      </div>
      <p className="muted">
        Each threshold has a warning and a critical level; the evaluator raises an alert when a metric passes one and
        resolves it when the metric recovers.
      </p>

      {editing !== null && (
        <ThresholdForm
          key={editing === 'new' ? 'new' : editing.id}
          threshold={editing === 'new' ? null : editing}
          datasources={datasources.data}
          onDone={() => setEditing(null)}
        />
      )}

      <div className="field field-inline">
        <label>
          <input type="checkbox" checked={showInactive} onChange={(event) => setShowInactive(event.target.checked)} /> Show deleted and
          inactive thresholds
        </label>
      </div>
      {thresholds.isPending && <Loading label="Loading thresholds…" />}
      {thresholds.isError && <LoadError error={thresholds.error} />}
      {thresholds.data &&
        (rows.length === 0 ? (
          <EmptyCard testId="no-thresholds">
            No thresholds yet{canWrite ? ': create one with “New threshold” — e.g. a cache hit rate below 80% as a warning and below 50% as critical.' : '.'}
          </EmptyCard>
        ) : (
          <TableCard
            testId="thresholds-table"
            columns={
              <>
                <th scope="col">Metric</th>
                <th scope="col">Applies to</th>
                <th scope="col">Alert when</th>
                <th scope="col" className="numeric">Warning</th>
                <th scope="col" className="numeric">Critical</th>
                <th scope="col">State</th>
                {canWrite && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </>
            }
          >
            {rows.map((threshold) => {
              const label = `${METRIC_LABELS[threshold.metricType]} (${appliesTo(threshold, names)})`;
              return (
                <tr key={threshold.id} data-testid={`threshold-row-${threshold.id}`}>
                  <td>
                    <strong>{METRIC_LABELS[threshold.metricType]}</strong>
                    <div className="small muted">{THRESHOLD_METRICS[threshold.metricType].description}</div>
                  </td>
                  <td>{appliesTo(threshold, names)}</td>
                  <td>{directionWords(threshold.metricType)}</td>
                  <td className="numeric">{formatInUnit(threshold.warningThreshold, threshold.thresholdUnit)}</td>
                  <td className="numeric">{formatInUnit(threshold.criticalThreshold, threshold.thresholdUnit)}</td>
                  <td>
                    {!threshold.isActive ? (
                      <Badge tone="neutral">Inactive</Badge>
                    ) : threshold.alertEnabled ? (
                      <Badge tone="ok">Alerting</Badge>
                    ) : (
                      <Badge tone="warn">Alerts off</Badge>
                    )}
                  </td>
                  {canWrite && (
                    <td>
                      <div className="row-actions">
                        <EditDeleteButtons label={label} onEdit={() => setEditing(threshold)} onDelete={() => setDeleting(threshold)} />
                      </div>
                    </td>
                  )}
                </tr>
              );
            })}
          </TableCard>
        ))}

      {deleting && (
        <ActionDialog
          title={`Delete the ${METRIC_LABELS[deleting.metricType]} threshold?`}
          confirmLabel="Delete"
          pendingLabel="Deleting…"
          tone="danger"
          pending={remove.isPending}
          error={remove.isError ? <ApiErrorMessage error={remove.error} /> : null}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
          onConfirm={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
          description={
            <p>
              {appliesTo(deleting, names)}: no more alerts will be raised for it. It stays listed under “Show deleted and inactive thresholds”, where it
              can be made active again.
            </p>
          }
        />
      )}
    </section>
  );
}
