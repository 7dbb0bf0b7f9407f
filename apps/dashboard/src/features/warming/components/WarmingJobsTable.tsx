import type { WarmingJob } from '@ccc/shared-types';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { datasourceLabel, formatCount, formatDateTime, formatDuration } from '../../../lib/format';
import { JobStatusBadge } from './JobStatusBadge';

const TYPE_LABELS: Record<WarmingJob['warmingType'], string> = {
  MANUAL: 'Manual',
  SCHEDULED: 'Scheduled',
  PREDICTIVE: 'Predictive',
  WARM_ALL: 'Warm all',
};

const COLUMNS: Array<Column<WarmingJob>> = [
  { id: 'job', header: 'Job', cell: (job) => <code title={job.jobId}>{job.jobId.slice(0, 8)}</code> },
  {
    id: 'started',
    header: 'Started',
    cell: (job) => (
      <>
        <time dateTime={job.startedAt ?? job.scheduledAt}>{formatDateTime(job.startedAt ?? job.scheduledAt)}</time>
        {!job.startedAt && <span className="muted"> (queued)</span>}
      </>
    ),
  },
  { id: 'datasource', header: 'Datasource', cell: (job) => datasourceLabel(job.datasourceId, job.datasourceName) },
  { id: 'type', header: 'Type', cell: (job) => TYPE_LABELS[job.warmingType] },
  { id: 'status', header: 'Status', cell: (job) => <JobStatusBadge status={job.status} /> },
  { id: 'refresh', header: 'Refresh', cell: (job) => <RefreshKindCell job={job} /> },
  {
    id: 'rows',
    header: 'Rows',
    numeric: true,
    cell: (job) => (
      <>
        {formatCount(job.rowsProcessed)} / {formatCount(job.rowsTotal)}
        {job.status !== 'COMPLETED' && job.rowsTotal > 0 && (
          <span className="muted"> ({Math.floor(job.progress)}%)</span>
        )}
      </>
    ),
  },
  { id: 'entries', header: 'Entries', numeric: true, cell: (job) => formatCount(job.entriesWritten) },
  {
    id: 'duration',
    header: 'Duration',
    cell: (job) => (job.durationSeconds === null ? '—' : formatDuration(job.durationSeconds)),
  },
  { id: 'generation', header: 'Generation', numeric: true, cell: (job) => job.generation ?? '—' },
  {
    id: 'error',
    header: 'Error',
    className: 'job-details',
    cell: (job) =>
      job.failureReason ? <span className="text-error">{job.failureReason}</span> : <span className="muted">—</span>,
  },
];
/** Full or incremental, why a full one ran, and the groups an incremental one rewrote, carried over and deleted. */
function RefreshKindCell({ job }: { job: WarmingJob }) {
  if (!job.refreshKind) return <span className="muted">—</span>;
  const groups =
    job.refreshKind === 'incremental'
      ? `${formatCount(job.groupsRewritten ?? 0)} rewritten, ${formatCount(job.groupsCarried ?? 0)} carried, ${formatCount(job.groupsDeleted ?? 0)} deleted`
      : null;
  return (
    <span title={job.refreshReason ?? undefined} data-testid={`refresh-kind-${job.jobId}`}>
      {job.refreshKind === 'incremental' ? 'Incremental' : 'Full'}
      {groups && <span className="muted"> ({groups})</span>}
      {job.refreshReason && <span className="muted"> — {job.refreshReason}</span>}
    </span>
  );
}

const WITHOUT_DATASOURCE = COLUMNS.filter((column) => column.id !== 'datasource');

interface WarmingJobsTableProps {
  jobs: WarmingJob[];
  /** Off on a single datasource's page, where every row is the same datasource. */
  showDatasource?: boolean;
  busy?: boolean;
  testId?: string;
  empty: string;
}

/** Warming jobs, newest first as the service lists them (a page of the history, or a datasource's recent jobs). */
export function WarmingJobsTable({ jobs, showDatasource = true, busy = false, testId, empty }: WarmingJobsTableProps) {
  return (
    <DataTable
      label="Warming jobs"
      columns={showDatasource ? COLUMNS : WITHOUT_DATASOURCE}
      rows={jobs}
      rowKey={(job) => job.jobId}
      rowProps={(job) => ({ 'data-testid': `job-row-${job.jobId}` })}
      busy={busy}
      testId={testId}
      empty={empty}
    />
  );
}
