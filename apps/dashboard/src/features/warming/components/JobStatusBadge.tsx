import type { JobStatus } from '@ccc/shared-types';
import { Badge } from '../../../components/ui/Badge';
import { JOB_STATUS_META } from '../job-status';

export function JobStatusBadge({ status }: { status: JobStatus }) {
  const meta = JOB_STATUS_META[status];
  return <Badge tone={meta.tone}>{meta.label}</Badge>;
}
