import '../monitoring.css';
import { THRESHOLD_METRICS, type PerformanceThreshold } from '@ccc/shared-types';
import { useState } from 'react';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { ActionDialog } from '../../../components/ui/Dialog';
import { datasourceLabel } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import { useDeleteThreshold, useThresholds } from '../hooks/useThresholds';
import { formatInUnit, METRIC_LABELS } from '../labels';
import { directionWords } from '../threshold-rules';
import { ApiErrorMessage } from './ApiErrorMessage';
import { datasourceNames } from './DatasourceSelect';
import { EditDeleteButtons } from './RowActions';
import { ThresholdForm } from './ThresholdForm';

function appliesTo(threshold: PerformanceThreshold, names: Map<number, string>): string {
  const { scope } = THRESHOLD_METRICS[threshold.metricType];
  if (scope === 'redis') return 'Redis';
  if (scope === 'database') return 'Database';
  const parts: string[] = [];
  if (scope === 'datasource') {
    parts.push(
      threshold.datasourceId === null
        ? 'Every datasource'
        : datasourceLabel(threshold.datasourceId, names.get(threshold.datasourceId)),
    );
  }
  if (threshold.tableName) parts.push(threshold.tableName);
  else if (scope === 'table') parts.push('Every table');
  return parts.join(' · ');
}

function thresholdColumns(names: Map<number, string>): Array<Column<PerformanceThreshold>> {
  return [
    {
      id: 'metric',
      header: 'Metric',
      sortValue: (threshold) => METRIC_LABELS[threshold.metricType],
      cell: (threshold) => (
        <>
          <strong>{METRIC_LABELS[threshold.metricType]}</strong>
          <div className="small muted">{THRESHOLD_METRICS[threshold.metricType].description}</div>
        </>
      ),
    },
    {
      id: 'scope',
      header: 'Applies to',
      cell: (threshold) => appliesTo(threshold, names),
      sortValue: (threshold) => appliesTo(threshold, names),
    },
    { id: 'direction', header: 'Alert when', cell: (threshold) => directionWords(threshold.metricType) },
    {
      id: 'warning',
      header: 'Warning',
      numeric: true,
      cell: (threshold) => formatInUnit(threshold.warningThreshold, threshold.thresholdUnit),
    },
    {
      id: 'critical',
      header: 'Critical',
      numeric: true,
      cell: (threshold) => formatInUnit(threshold.criticalThreshold, threshold.thresholdUnit),
    },
    {
      id: 'state',
      header: 'State',
      cell: (threshold) =>
        // Whether the threshold raises alerts, not whether one is firing: neutral words and colours.
        !threshold.isActive ? (
          <Badge tone="neutral">Inactive</Badge>
        ) : threshold.alertEnabled ? (
          <Badge tone="info">Enabled</Badge>
        ) : (
          <Badge tone="neutral">Disabled</Badge>
        ),
    },
  ];
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

  const rows = thresholds.data
    ? [...thresholds.data].sort(
        (a, b) =>
          Number(b.isActive) - Number(a.isActive) ||
          METRIC_LABELS[a.metricType].localeCompare(METRIC_LABELS[b.metricType]),
      )
    : undefined;
  const columns = thresholdColumns(names);
  const actions: Column<PerformanceThreshold> = {
    id: 'actions',
    header: 'Actions',
    hideHeader: true,
    cell: (threshold) => (
      <div className="row-actions">
        <EditDeleteButtons
          label={`${METRIC_LABELS[threshold.metricType]} (${appliesTo(threshold, names)})`}
          onEdit={() => setEditing(threshold)}
          onDelete={() => setDeleting(threshold)}
        />
      </div>
    ),
  };

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
          <input type="checkbox" checked={showInactive} onChange={(event) => setShowInactive(event.target.checked)} />{' '}
          Show deleted and inactive thresholds
        </label>
      </div>
      <DataTable
        label="Thresholds"
        testId="thresholds-table"
        columns={canWrite ? [...columns, actions] : columns}
        rows={rows}
        rowKey={(threshold) => threshold.id}
        rowProps={(threshold) => ({ 'data-testid': `threshold-row-${threshold.id}` })}
        loading={thresholds.isPending}
        loadingLabel="Loading thresholds…"
        error={thresholds.error}
        emptyTestId="no-thresholds"
        empty={`No thresholds yet${canWrite ? ': create one with “New threshold” — e.g. a cache hit rate below 80% as a warning and below 50% as critical.' : '.'}`}
      />

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
              {appliesTo(deleting, names)}: no more alerts will be raised for it. It stays listed under “Show deleted
              and inactive thresholds”, where it can be made active again.
            </p>
          }
        />
      )}
    </section>
  );
}
