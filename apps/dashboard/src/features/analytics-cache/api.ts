import type {
  CacheHealthResponse,
  CacheStatsResponse,
  DatasourceCacheDetails,
  DatasourceRegionStatus,
  InvalidateResponse,
  RollbackResponse,
  SelectiveInvalidateRequest,
  WarmRequest,
  WarmResponse,
} from '@ccc/shared-types';
import { request } from '../../lib/api-client';

const BASE = '/api/admin/analytics/cache';

/** The analytics cache endpoints (statistics, warm, invalidate, health, per-datasource details, rollback). */
export const analyticsCacheApi = {
  stats: (signal?: AbortSignal) => request<CacheStatsResponse>('GET', `${BASE}/stats`, { signal }),
  health: (signal?: AbortSignal) => request<CacheHealthResponse>('GET', `${BASE}/health`, { signal }),
  details: (datasourceId: number, signal?: AbortSignal) =>
    request<DatasourceCacheDetails>('GET', `${BASE}/datasources/${datasourceId}`, { signal }),
  /** Each Redis region's copy of the datasource's cache (REDIS_REGIONS). */
  regions: (datasourceId: number, signal?: AbortSignal) =>
    request<DatasourceRegionStatus[]>('GET', `${BASE}/datasources/${datasourceId}/regions`, { signal }),
  warm: (body: WarmRequest) => request<WarmResponse>('POST', `${BASE}/warm`, { body }),
  invalidate: (body: SelectiveInvalidateRequest) => request<InvalidateResponse>('POST', `${BASE}/invalidate`, { body }),
  /** `generation`: the retained generation the user confirmed; the service refuses (409) if another is retained now. */
  rollback: (datasourceId: number, generation: number) =>
    request<RollbackResponse>('POST', `${BASE}/datasources/${datasourceId}/rollback`, { body: { generation } }),
};
