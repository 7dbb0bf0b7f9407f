import type { ActiveWarmingJob, RecentWarmingJob, WarmingStatusResponse } from '@ccc/shared-types';
import { useState } from 'react';
import { ActionDialog } from '../../../components/ui/Dialog';
import { datasourceLabel, formatCount, formatDuration, formatRelative, formatSpan } from '../../../lib/format';
import { useJobAction } from '../hooks/useJobAction';
import { JobStatusBadge } from './JobStatusBadge';
import { ProgressBar } from './ProgressBar';

/** Finished jobs stay on screen this long, so the user sees the bar reach 100% and how it ended. */
const RECENT_WINDOW_MS = 15 * 60_000;
const MAX_RECENT = 5;

interface ActiveWarmingJobsProps {
  status: WarmingStatusResponse;
  canWrite: boolean;
  now: number;
}

export function ActiveWarmingJobs({ status, canWrite, now }: ActiveWarmingJobsProps) {
  const action = useJobAction();
  const [cancelling, setCancelling] = useState<ActiveWarmingJob | null>(null);
  const recent = status.recentJobs
    .filter((job) => now - new Date(job.completedAt).getTime() < RECENT_WINDOW_MS)
    .slice(0, MAX_RECENT);

  return (
    <>
      {status.activeJobs.length === 0 ? (
        <p className="card card-muted" data-testid="no-active-jobs">
          No warming in progress.
        </p>
      ) : (
        <div className="job-cards">
          {status.activeJobs.map((job) => (
            <ActiveJobCard
              key={job.jobId}
              job={job}
              now={now}
              canWrite={canWrite}
              pending={action.isPending && action.variables.jobId === job.jobId}
              onPause={() => action.mutate({ jobId: job.jobId, action: 'pause' })}
              onResume={() => action.mutate({ jobId: job.jobId, action: 'resume' })}
              onCancel={() => setCancelling(job)}
            />
          ))}
        </div>
      )}
      {recent.length > 0 && (
        <>
          <h3 className="subheading">Recently finished</h3>
          <div className="job-cards">
            {recent.map((job) => (
              <RecentJobCard key={job.jobId} job={job} now={now} />
            ))}
          </div>
        </>
      )}
      {cancelling && (
        <ActionDialog
          title={`Cancel warming of ${datasourceLabel(cancelling.datasourceId, cancelling.datasourceName)}?`}
          description={
            <p>
              The rows processed so far ({formatCount(cancelling.rowsProcessed)} of {formatCount(cancelling.rowsTotal)})
              are discarded. The live cache stays as it is.
            </p>
          }
          confirmLabel="Cancel job"
          pendingLabel="Cancelling…"
          cancelLabel="Keep warming"
          tone="danger"
          pending={action.isPending}
          onConfirm={() =>
            action.mutate({ jobId: cancelling.jobId, action: 'cancel' }, { onSettled: () => setCancelling(null) })
          }
          onCancel={() => setCancelling(null)}
        />
      )}
    </>
  );
}

interface ActiveJobCardProps {
  job: ActiveWarmingJob;
  now: number;
  canWrite: boolean;
  pending: boolean;
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
}

function ActiveJobCard({ job, now, canWrite, pending, onPause, onResume, onCancel }: ActiveJobCardProps) {
  const label = datasourceLabel(job.datasourceId, job.datasourceName);
  const titleId = `job-${job.jobId}-title`;
  let eta: string;
  if (job.status === 'PAUSED') eta = 'Paused';
  else if (job.status === 'PENDING') eta = 'Waiting to start';
  else if (job.etaSeconds > 0) eta = `ETA: ${formatSpan(job.etaSeconds)}`;
  else eta = job.progress > 0 ? 'Finishing' : 'ETA: calculating…';

  return (
    <article className="card job-card" data-testid={`job-${job.jobId}`} aria-labelledby={titleId}>
      <div className="ds-card-header">
        <h3 id={titleId} className="ds-card-title">
          {label}
        </h3>
        <JobStatusBadge status={job.status} />
      </div>
      <ProgressBar value={job.progress} label={`Warming progress of ${label}`} testId={`progress-${job.jobId}`} />
      <p className="ds-card-line" data-testid={`job-rows-${job.jobId}`}>
        {job.rowsTotal > 0
          ? `${formatCount(job.rowsProcessed)} / ${formatCount(job.rowsTotal)} rows • ${eta}`
          : job.status === 'RUNNING'
            ? 'Counting source rows…'
            : eta}
      </p>
      <p className="ds-card-line muted">
        Started:{' '}
        <time dateTime={job.startedAt} title={new Date(job.startedAt).toLocaleString()}>
          {formatRelative(job.startedAt, now)}
        </time>
      </p>
      {canWrite && (
        <div className="ds-card-actions">
          {job.status === 'PAUSED' ? (
            <button
              type="button"
              className="button button-small button-secondary"
              aria-label={`Resume warming of ${label}`}
              disabled={pending}
              onClick={onResume}
            >
              Resume
            </button>
          ) : (
            <button
              type="button"
              className="button button-small button-secondary"
              aria-label={`Pause warming of ${label}`}
              disabled={pending || job.status !== 'RUNNING'}
              onClick={onPause}
            >
              Pause
            </button>
          )}
          <button
            type="button"
            className="button button-small button-secondary button-danger-outline"
            aria-label={`Cancel warming of ${label}`}
            disabled={pending}
            onClick={onCancel}
          >
            Cancel
          </button>
        </div>
      )}
    </article>
  );
}

function RecentJobCard({ job, now }: { job: RecentWarmingJob; now: number }) {
  const label = datasourceLabel(job.datasourceId, job.datasourceName);
  const titleId = `job-${job.jobId}-title`;
  const when = formatRelative(job.completedAt, now);
  return (
    <article className="card job-card job-card-finished" data-testid={`job-${job.jobId}`} aria-labelledby={titleId}>
      <div className="ds-card-header">
        <h3 id={titleId} className="ds-card-title">
          {label}
        </h3>
        <JobStatusBadge status={job.status} />
      </div>
      {job.success && (
        <ProgressBar value={100} label={`Warming progress of ${label}`} testId={`progress-${job.jobId}`} />
      )}
      <p className="ds-card-line">
        {job.success
          ? `Finished ${when} • ${formatCount(job.entriesCached)} entries cached in ${formatDuration(job.duration)}`
          : `${job.status === 'CANCELLED' ? 'Cancelled' : 'Failed'} ${when}${job.error ? `: ${job.error}` : ''}`}
      </p>
    </article>
  );
}
