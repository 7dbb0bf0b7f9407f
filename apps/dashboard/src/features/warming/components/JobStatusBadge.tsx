import type { JobStatus } from '@ccc/shared-types';
import { JOB_STATUS_META } from '../job-status';

export function JobStatusBadge({ status }: { status: JobStatus }) {
  const meta = JOB_STATUS_META[status];
  return <span className={`badge badge-${meta.tone}`}>{meta.label}</span>;
}
