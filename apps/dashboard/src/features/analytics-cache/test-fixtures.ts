import type {
  DatasourceRegionStatus,
  CacheHealthResponse,
  CacheStatsResponse,
  DatasourceCacheDetails,
  DatasourceCacheMetrics,
  HitRate,
  Paginated,
  WarmingJob,
  WarmingStatusResponse,
  WarmSchedule,
} from '@ccc/shared-types';
import { datasource } from '../../test/fixtures';
import { jsonResponse, mockApi } from '../../test/render';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const minutesAhead = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

/** A hit-rate figure over the service's window (null percent: no traffic). */
export function hitRate(percent: number | null, requests = percent === null ? 0 : 200): HitRate {
  return {
    percent,
    hits: percent === null ? 0 : Math.round((requests * percent) / 100),
    requests,
    windowMinutes: 15,
    window: 'last 15 min',
  };
}

export function metrics(overrides: Partial<DatasourceCacheMetrics> = {}): DatasourceCacheMetrics {
  const totalQueries = overrides.totalQueries ?? 5_120;
  return {
    hitRate: hitRate(totalQueries === 0 ? null : (overrides.cacheHitRate ?? 99.2)),
    datasourceId: 1,
    datasourceName: 'Revenue Analytics',
    isWarm: true,
    lastWarmed: minutesAgo(60),
    ageMinutes: 60,
    totalEntries: 12_458,
    indexCount: 87,
    estimatedMemoryMB: 45.2,
    uniqueMeasures: 4,
    uniquePractices: 8,
    uniqueProviders: 120,
    uniqueFrequencies: ['Daily', 'Weekly', 'Monthly', 'Quarterly'],
    avgQueryTimeMs: 2.1,
    cacheHitRate: 99.2,
    totalQueries: 5_120,
    health: 'excellent',
    warnings: [],
    ...overrides,
  };
}

export const revenue = metrics();
export const operational = metrics({
  datasourceId: 3,
  datasourceName: 'Operational Metrics',
  lastWarmed: minutesAgo(360),
  ageMinutes: 360,
  totalEntries: 8_234,
  indexCount: 54,
  estimatedMemoryMB: 28.7,
  uniqueMeasures: 3,
  uniquePractices: 12,
  cacheHitRate: 87.4,
  avgQueryTimeMs: 3.8,
  health: 'stale',
  warnings: ['Cache is older than its staleness TTL'],
});
export const clinical = metrics({
  datasourceId: 5,
  datasourceName: 'Clinical Data',
  isWarm: false,
  lastWarmed: null,
  ageMinutes: 0,
  totalEntries: 0,
  indexCount: 0,
  estimatedMemoryMB: 0,
  uniqueMeasures: 0,
  uniquePractices: 0,
  uniqueProviders: 0,
  uniqueFrequencies: [],
  cacheHitRate: 0,
  avgQueryTimeMs: 0,
  totalQueries: 0,
  health: 'cold',
});

export function stats(datasources: DatasourceCacheMetrics[] = [revenue, operational, clinical]): CacheStatsResponse {
  const warm = datasources.filter((m) => m.isWarm);
  return {
    summary: {
      totalDatasources: datasources.length,
      warmDatasources: warm.length,
      coldDatasources: datasources.length - warm.length,
      totalCacheEntries: datasources.reduce((sum, m) => sum + m.totalEntries, 0),
      totalIndexes: datasources.reduce((sum, m) => sum + m.indexCount, 0),
      totalMemoryMB: datasources.reduce((sum, m) => sum + m.estimatedMemoryMB, 0),
      overallCacheHitRate: 98.5,
      hitRate: hitRate(98.5, 1_000),
    },
    datasources,
  };
}

export const health: CacheHealthResponse = {
  overall: 'degraded',
  issues: [
    {
      datasourceId: 3,
      datasourceName: 'Operational Metrics',
      severity: 'warning',
      issue: 'Cache is 6 hours old (TTL 4 hours)',
      recommendation: 'Refresh the cache or schedule auto-warming',
    },
    {
      datasourceId: 5,
      datasourceName: 'Clinical Data',
      severity: 'error',
      issue: 'Never warmed',
      recommendation: 'Warm the cache',
    },
  ],
  recommendations: ['Schedule auto-warming for Operational Metrics'],
};

export const idleStatus: WarmingStatusResponse = { activeJobs: [], recentJobs: [] };

export function job(overrides: Partial<WarmingJob> = {}): WarmingJob {
  return {
    jobId: 'job-1',
    datasourceId: 1,
    datasourceName: 'Revenue Analytics',
    status: 'COMPLETED',
    warmingType: 'MANUAL',
    progress: 100,
    rowsProcessed: 245_012,
    rowsTotal: 245_012,
    entriesWritten: 12_458,
    etaSeconds: null,
    scheduledAt: minutesAgo(62),
    startedAt: minutesAgo(61),
    completedAt: minutesAgo(60),
    durationSeconds: 48,
    failureReason: null,
    generation: 7,
    createdBy: 'admin@example.com',
    refreshKind: 'full',
    refreshReason: null,
    groupsRewritten: 12_458,
    groupsCarried: null,
    groupsDeleted: null,
    regionResults: null,
    ...overrides,
  };
}

export function page<T>(items: T[], total = items.length, pageNumber = 1, pageSize = 20): Paginated<T> {
  return { items, total, page: pageNumber, pageSize };
}

export const schedules: WarmSchedule[] = [
  {
    datasourceId: 1,
    datasourceName: 'Revenue Analytics',
    cron: '0 */4 * * *',
    nextRuns: [minutesAhead(90), minutesAhead(330), minutesAhead(570)],
  },
  { datasourceId: 3, datasourceName: 'Operational Metrics', cron: null, nextRuns: [] },
  { datasourceId: 5, datasourceName: 'Clinical Data', cron: null, nextRuns: [] },
];

export function details(overrides: Partial<DatasourceCacheDetails> = {}): DatasourceCacheDetails {
  return {
    metrics: revenue,
    generation: 7,
    entriesByMeasureFrequency: [
      { measure: 'Payments', frequency: 'Monthly', entries: 1_920 },
      { measure: 'Charges', frequency: 'Monthly', entries: 1_920 },
      { measure: 'Charges', frequency: 'Daily', entries: 1_920 },
    ],
    recentJobs: [
      job(),
      job({ jobId: 'job-0', status: 'FAILED', failureReason: 'Source query timed out', generation: null }),
    ],
    previousGeneration: null,
    ...overrides,
  };
}

type Routes = Parameters<typeof mockApi>[0];

/** Every read endpoint the cache and warming pages call, answered with the fixtures; `routes` override or add. */
export function region(name: string, overrides: Partial<DatasourceRegionStatus> = {}): DatasourceRegionStatus {
  return {
    region: name,
    warmed: true,
    reachable: true,
    generation: 4,
    lastWarmed: '2026-01-10T09:00:00.000Z',
    entries: 1200,
    memoryBytes: 204_800,
    jobId: 'job-1',
    lastResult: { status: 'ok', generation: 4, error: null },
    upToDate: true,
    lagSeconds: 0,
    ...overrides,
  };
}

export function mockCacheApi(routes: Routes = {}) {
  return mockApi({
    'GET /api/admin/analytics/cache/stats': () => jsonResponse(200, stats()),
    'GET /api/admin/analytics/cache/health': () => jsonResponse(200, health),
    'GET /api/admin/analytics/cache/warming/status': () => jsonResponse(200, idleStatus),
    'GET /api/admin/analytics/cache/warming/jobs': () => jsonResponse(200, page([job()])),
    'GET /api/admin/analytics/cache/schedules': () => jsonResponse(200, schedules),
    'GET /api/admin/analytics/cache/datasources/1/regions': () => jsonResponse(200, [region('primary')]),
    'GET /api/admin/datasources': () =>
      jsonResponse(200, [
        datasource(),
        datasource({ id: 3, name: 'Operational Metrics', warmSchedule: null }),
        datasource({ id: 5, name: 'Clinical Data', warmSchedule: null, stalenessTtlSeconds: 43_200 }),
      ]),
    ...routes,
  });
}
