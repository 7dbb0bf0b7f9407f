import type {
  Paginated,
  UpdateWarmScheduleRequest,
  WarmingJob,
  WarmingJobQuery,
  WarmingStatusResponse,
  WarmSchedule,
} from '@ccc/shared-types';
import { request } from '../../lib/api-client';

const BASE = '/api/admin/analytics/cache';

export type JobAction = 'pause' | 'resume' | 'cancel';

/** Warming progress, history, job control and auto-warm schedules. */
export const warmingApi = {
  status: (signal?: AbortSignal) => request<WarmingStatusResponse>('GET', `${BASE}/warming/status`, { signal }),
  jobs: (query: WarmingJobQuery, signal?: AbortSignal) =>
    request<Paginated<WarmingJob>>('GET', `${BASE}/warming/jobs`, { query: { ...query }, signal }),
  jobAction: (jobId: string, action: JobAction) =>
    request<WarmingJob>('POST', `${BASE}/warming/jobs/${encodeURIComponent(jobId)}/${action}`),
  schedules: (signal?: AbortSignal) => request<WarmSchedule[]>('GET', `${BASE}/schedules`, { signal }),
  updateSchedule: (datasourceId: number, body: UpdateWarmScheduleRequest) =>
    request<WarmSchedule>('PUT', `${BASE}/schedules/${datasourceId}`, { body }),
};
