import type { WarmingJob } from '@ccc/shared-types';
import { datasourceLabel, formatCount, formatDateTime, formatDuration } from '../../../lib/format';
import { JobStatusBadge } from './JobStatusBadge';

const TYPE_LABELS: Record<WarmingJob['warmingType'], string> = {
  MANUAL: 'Manual',
  SCHEDULED: 'Scheduled',
  PREDICTIVE: 'Predictive',
  WARM_ALL: 'Warm all',
};

interface WarmingJobsTableProps {
  jobs: WarmingJob[];
  /** Off on a single datasource's page, where every row is the same datasource. */
  showDatasource?: boolean;
  busy?: boolean;
  testId?: string;
}

export function WarmingJobsTable({ jobs, showDatasource = true, busy = false, testId }: WarmingJobsTableProps) {
  return (
    <div className="table-wrap card">
      <table className="table" data-testid={testId} aria-busy={busy}>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Started</th>
            {showDatasource && <th scope="col">Datasource</th>}
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col" className="numeric">
              Rows
            </th>
            <th scope="col" className="numeric">
              Entries
            </th>
            <th scope="col">Duration</th>
            <th scope="col" className="numeric">
              Generation
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.jobId} data-testid={`job-row-${job.jobId}`}>
              <td>
                <code title={job.jobId}>{job.jobId.slice(0, 8)}</code>
              </td>
              <td>
                <time dateTime={job.startedAt ?? job.scheduledAt}>
                  {formatDateTime(job.startedAt ?? job.scheduledAt)}
                </time>
                {!job.startedAt && <span className="muted"> (queued)</span>}
              </td>
              {showDatasource && <td>{datasourceLabel(job.datasourceId, job.datasourceName)}</td>}
              <td>{TYPE_LABELS[job.warmingType]}</td>
              <td>
                <JobStatusBadge status={job.status} />
              </td>
              <td className="numeric">
                {formatCount(job.rowsProcessed)} / {formatCount(job.rowsTotal)}
                {job.status !== 'COMPLETED' && job.rowsTotal > 0 && (
                  <span className="muted"> ({Math.floor(job.progress)}%)</span>
                )}
              </td>
              <td className="numeric">{formatCount(job.entriesWritten)}</td>
              <td>{job.durationSeconds === null ? '—' : formatDuration(job.durationSeconds)}</td>
              <td className="numeric">{job.generation ?? '—'}</td>
              <td className="job-details">
                {job.failureReason ? <span className="text-error">{job.failureReason}</span> : <span className="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
