import type { DatasourceCacheDetails } from '@ccc/shared-types';
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import {
  datasourceLabel,
  formatCount,
  formatDuration,
  formatHitRate,
  formatMemoryMB,
  formatMillis,
  formatRelative,
  formatSpan,
} from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useOpenAlerts } from '../../monitoring/hooks/useAlerts';
import { alertsOf, datasourceVerdict } from '../../monitoring/open-alerts';
import { ProgressBar } from '../../warming/components/ProgressBar';
import { WarmingJobsTable } from '../../warming/components/WarmingJobsTable';
import { useWarmingStatus } from '../../warming/hooks/useWarmingStatus';
import { useDatasourceCacheDetails } from '../hooks/useDatasourceCacheDetails';
import { useNow } from '../hooks/useNow';
import { useWarmCache } from '../hooks/useWarmCache';
import { ChangeCaptureCard } from './ChangeCaptureCard';
import { VerdictBadge } from './HealthBadge';
import { GenerationsPanel } from './GenerationsPanel';
import { RegionsPanel } from './RegionsPanel';
import { InvalidateDialog, type InvalidateTarget } from './InvalidateDialog';
import { WarmFeedback } from './WarmFeedback';

type EntryRow = DatasourceCacheDetails['entriesByMeasureFrequency'][number];

function parseId(raw: string | undefined): number | null {
  return raw && /^[1-9]\d*$/.test(raw) ? Number(raw) : null;
}

export function CacheDetailsPage() {
  const id = parseId(useParams().id);
  if (id === null) {
    return (
      <DetailsFrame title="Cache details">
        <div className="callout callout-error" role="alert">
          There is no datasource with this id.
        </div>
      </DetailsFrame>
    );
  }
  return <CacheDetails key={id} id={id} />;
}

function CacheDetails({ id }: { id: number }) {
  const details = useDatasourceCacheDetails(id);
  if (details.isPending) {
    return (
      <DetailsFrame title={`DS #${id}`}>
        <Loading label="Loading cache details…" />
      </DetailsFrame>
    );
  }
  if (details.isError) {
    return (
      <DetailsFrame title={`DS #${id}`}>
        <LoadError error={details.error} notFoundMessage={`Datasource #${id} was not found.`} />
      </DetailsFrame>
    );
  }
  return <CacheDetailsView details={details.data} />;
}

function CacheDetailsView({ details }: { details: DatasourceCacheDetails }) {
  const { metrics: m } = details;
  const canWrite = useCanWriteSettings();
  const status = useWarmingStatus();
  const warm = useWarmCache();
  const now = useNow();
  const [invalidating, setInvalidating] = useState<InvalidateTarget | null>(null);
  const label = datasourceLabel(m.datasourceId, m.datasourceName);
  const activeJob = status.data?.activeJobs.find((job) => job.datasourceId === m.datasourceId);
  const verdict = datasourceVerdict(m.health, alertsOf(useOpenAlerts().alerts, m.datasourceId));
  const names = useMemo(() => new Map([[m.datasourceId, m.datasourceName]]), [m.datasourceId, m.datasourceName]);
  const rows = [...details.entriesByMeasureFrequency].sort(
    (a, b) => a.measure.localeCompare(b.measure) || a.frequency.localeCompare(b.frequency),
  );

  const actions = canWrite && (
    <div className="page-actions">
      <button
        type="button"
        className="button"
        disabled={warm.isPending || activeJob !== undefined}
        onClick={() => warm.mutate({ datasourceId: m.datasourceId, force: m.isWarm })}
      >
        {m.isWarm ? 'Refresh' : 'Warm Now'}
      </button>
      {m.totalEntries > 0 && (
        <button
          type="button"
          className="button button-secondary button-danger-outline"
          onClick={() =>
            setInvalidating({
              datasourceId: m.datasourceId,
              datasourceName: m.datasourceName,
              entries: m.totalEntries,
              indexes: m.indexCount,
              memoryMB: m.estimatedMemoryMB,
            })
          }
        >
          Invalidate
        </button>
      )}
    </div>
  );

  return (
    <DetailsFrame
      title={label}
      badge={
        <>
          <VerdictBadge health={m.health} verdict={verdict} testId="details-health" />
        </>
      }
      actions={actions}
    >
      {verdict.reason && (
        <p className="health-reason" data-testid="details-health-reason">
          <Link to={`/alerts?ds=${m.datasourceId}`}>{verdict.reason}</Link>
        </p>
      )}
      <WarmFeedback warm={warm} names={names} />
      {activeJob && (
        <div className="card" data-testid="details-active-job">
          <p className="ds-card-line">
            {activeJob.status === 'PAUSED' ? 'Warming paused' : 'Warming in progress'} —{' '}
            {formatCount(activeJob.rowsProcessed)} / {formatCount(activeJob.rowsTotal)} rows
            {activeJob.status === 'RUNNING' &&
              activeJob.etaSeconds > 0 &&
              ` • ETA: ${formatSpan(activeJob.etaSeconds)}`}
          </p>
          <ProgressBar
            value={activeJob.progress}
            label={`Warming progress of ${label}`}
            testId={`progress-${activeJob.jobId}`}
          />
        </div>
      )}

      {m.warnings.length > 0 && (
        <div className="callout callout-warn" role="note">
          <ul>
            {m.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}

      <section className="card" aria-labelledby="metrics-title">
        <h2 id="metrics-title">Metrics</h2>
        <dl className="metrics-grid" data-testid="details-metrics">
          <Metric label="Status" value={m.isWarm ? 'Warm' : 'Cold'} />
          <Metric label="Last warmed" value={m.lastWarmed ? formatRelative(m.lastWarmed, now) : 'Never warmed'} />
          <Metric
            label="Cache age"
            value={!m.lastWarmed ? '—' : m.ageMinutes < 1 ? 'under a minute' : formatDuration(m.ageMinutes * 60)}
          />
          <Metric
            label="Live generation"
            value={details.generation === null ? 'None (cold)' : String(details.generation)}
          />
          <Metric label="Entries" value={formatCount(m.totalEntries)} />
          <Metric label="Secondary indexes" value={formatCount(m.indexCount)} />
          <Metric label="Memory" value={formatMemoryMB(m.estimatedMemoryMB)} />
          <Metric label="Measures" value={formatCount(m.uniqueMeasures)} />
          <Metric label="Practices" value={formatCount(m.uniquePractices)} />
          <Metric label="Providers" value={formatCount(m.uniqueProviders)} />
          <Metric label="Frequencies" value={m.uniqueFrequencies.length ? m.uniqueFrequencies.join(', ') : '—'} />
          <Metric
            label={`Hit rate (${m.hitRate.window})`}
            value={formatHitRate(m.hitRate)}
            testId={`hit-rate-${m.datasourceId}`}
          />
          <Metric label="Avg query" value={m.totalQueries === 0 ? '—' : formatMillis(m.avgQueryTimeMs)} />
          <Metric label="Queries since warm" value={formatCount(m.totalQueries)} />
        </dl>
      </section>

      <GenerationsPanel details={details} canWrite={canWrite} warming={activeJob !== undefined} now={now} />
      {details.changeCapture && <ChangeCaptureCard status={details.changeCapture} now={now} />}
      <RegionsPanel datasourceId={m.datasourceId} now={now} />

      <section aria-labelledby="entries-title" className="page-section">
        <h2 id="entries-title">Entries by measure and frequency</h2>
        <DataTable
          label="Cache entries by measure and frequency"
          testId="entries-table"
          rows={rows}
          rowKey={(row) => `${row.measure}:${row.frequency}`}
          empty="No cache entries."
          columns={entryColumns(canWrite, (row) =>
            setInvalidating({
              datasourceId: m.datasourceId,
              datasourceName: m.datasourceName,
              scope: { measure: row.measure, frequency: row.frequency },
              entries: row.entries,
            }),
          )}
        />
      </section>

      <section aria-labelledby="jobs-title" className="page-section">
        <h2 id="jobs-title">Recent warming jobs</h2>
        <WarmingJobsTable
          jobs={details.recentJobs}
          showDatasource={false}
          testId="details-jobs-table"
          empty="This datasource has not been warmed yet."
        />
      </section>
      <p>
        <Link to={`/datasources/${m.datasourceId}`}>Datasource settings →</Link>
      </p>
      {invalidating && <InvalidateDialog target={invalidating} onClose={() => setInvalidating(null)} />}
    </DetailsFrame>
  );
}

function entryColumns(canWrite: boolean, onInvalidate: (row: EntryRow) => void): Array<Column<EntryRow>> {
  const columns: Array<Column<EntryRow>> = [
    { id: 'measure', header: 'Measure', cell: (row) => row.measure, sortValue: (row) => row.measure },
    { id: 'frequency', header: 'Frequency', cell: (row) => row.frequency, sortValue: (row) => row.frequency },
    {
      id: 'entries',
      header: 'Entries',
      numeric: true,
      cell: (row) => formatCount(row.entries),
      sortValue: (row) => row.entries,
    },
  ];
  if (!canWrite) return columns;
  return [
    ...columns,
    {
      id: 'actions',
      header: 'Actions',
      hideHeader: true,
      cell: (row) => (
        <button
          type="button"
          className="button button-small button-secondary button-danger-outline"
          aria-label={`Invalidate ${row.measure} ${row.frequency}`}
          onClick={() => onInvalidate(row)}
        >
          Invalidate
        </button>
      ),
    },
  ];
}

function Metric({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="metric">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

interface DetailsFrameProps {
  title: string;
  badge?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}

function DetailsFrame({ title, badge, actions, children }: DetailsFrameProps) {
  return (
    <section aria-labelledby="page-title">
      <p className="breadcrumb">
        <Link to="/cache">← Analytics Cache</Link>
      </p>
      <div className="page-header">
        <div className="page-title-row">
          <h1 id="page-title">{title}</h1>
          {badge}
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}
