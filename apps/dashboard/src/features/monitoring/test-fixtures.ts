import type {
  CacheAlert,
  DatasourceEfficiency,
  DemandForecast,
  ForecastBacktest,
  HourlyUsage,
  IndexStrategy,
  IndexUsageStats,
  Paginated,
  PerformanceThreshold,
  Recommendation,
  UsagePattern,
} from '@ccc/shared-types';
import { datasource } from '../../test/fixtures';
import { jsonResponse } from '../../test/render';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export const datasources = [
  datasource(),
  datasource({ id: 2, name: 'Operational Metrics', sourceTable: 'demo_analytics.operational_facts' }),
];

export function paged<T>(items: T[], page = 1, pageSize = 50): Paginated<T> {
  return { items, total: items.length, page, pageSize };
}

export function alert(overrides: Partial<CacheAlert> = {}): CacheAlert {
  return {
    id: 'alert-1',
    cacheLayerId: 'layer',
    cacheStrategyId: 'strategy-1',
    datasourceId: 1,
    datasourceName: 'Revenue Analytics',
    alertType: 'HIT_RATE_LOW',
    severity: 'CRITICAL',
    alertMessage: 'Cache hit rate of Revenue Analytics is 42% (critical below 50%)',
    thresholdValue: 50,
    actualValue: 42,
    alertContext: { direction: 'BELOW', metricType: 'CACHE_HIT_RATIO' },
    alertStatus: 'ACTIVE',
    acknowledgedBy: null,
    acknowledgedByName: null,
    acknowledgedAt: null,
    acknowledgementComment: null,
    resolvedAt: null,
    resolvedBy: null,
    createdBy: '00000000-0000-0000-0000-000000000000',
    triggeredAt: minutesAgo(10),
    lastEvaluatedAt: minutesAgo(1),
    lastNotifiedAt: null,
    history: [{ at: minutesAgo(10), event: 'FIRED', severity: 'CRITICAL', actualValue: 42, by: null, comment: null }],
    ...overrides,
  };
}

export function threshold(overrides: Partial<PerformanceThreshold> = {}): PerformanceThreshold {
  return {
    id: 'threshold-1',
    metricType: 'CACHE_HIT_RATIO',
    tableName: null,
    datasourceId: 1,
    warningThreshold: 80,
    criticalThreshold: 50,
    thresholdUnit: 'PERCENTAGE',
    direction: 'BELOW',
    alertEnabled: true,
    alertConfiguration: null,
    createdBy: 'user-admin',
    updatedBy: null,
    createdAt: minutesAgo(60),
    updatedAt: minutesAgo(60),
    isActive: true,
    ...overrides,
  };
}

export function recommendation(overrides: Partial<Recommendation> = {}): Recommendation {
  return {
    id: 'rec-1',
    cacheStrategyId: 'strategy-1',
    datasourceId: 1,
    datasourceName: 'Revenue Analytics',
    recommendationType: 'ADJUST_TTL',
    priority: 'HIGH',
    recommendationDescription: 'Entries expire before they are read again: raise the staleness TTL to 8 hours.',
    currentConfiguration: { stalenessTtlSeconds: 14400, warmSchedule: '0 */4 * * *' },
    recommendedConfiguration: { stalenessTtlSeconds: 28800, warmSchedule: '0 */4 * * *' },
    estimatedImprovement: 12.5,
    improvementMetric: 'hit_rate_pct',
    implementationStatus: 'PENDING',
    targetKey: 'ttl',
    approvedBy: null,
    approvedAt: null,
    implementedAt: null,
    implementationNotes: null,
    createdBy: '00000000-0000-0000-0000-000000000000',
    createdAt: minutesAgo(30),
    ...overrides,
  };
}

export function hourly(
  datasourceId: number,
  hoursAgo: number,
  requests: number,
  hits: number,
  avgQueryTimeMs: number | null,
): HourlyUsage {
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - hoursAgo * 3_600_000).toISOString();
  return { datasourceId, hour, requests, hits, hitRate: requests ? (hits / requests) * 100 : null, avgQueryTimeMs };
}

export function usagePattern(overrides: Partial<UsagePattern> = {}): UsagePattern {
  const hourlyRequests = Array.from({ length: 24 }, (_, h) => (h >= 8 && h <= 17 ? 100 + h : 0));
  return {
    id: 'pattern-1',
    cacheStrategyId: 'strategy-1',
    datasourceId: 1,
    datasourceName: 'Revenue Analytics',
    resourceType: 'ANALYTICS_DATASOURCE',
    accessPattern: 'PEAKED',
    peakHourStart: 9,
    peakHourEnd: 16,
    averageHitRate: 91.5,
    peakHitRate: 97.2,
    optimalTtlSeconds: 14400,
    dailyRequests: hourlyRequests.reduce((a, b) => a + b, 0),
    dailyCacheHits: 1000,
    hourlyRequests,
    hourlyHits: hourlyRequests.map((r) => Math.round(r * 0.9)),
    analysisDate: new Date().toISOString().slice(0, 10),
    calculatedAt: minutesAgo(5),
    ...overrides,
  };
}

export function indexStrategy(overrides: Partial<IndexStrategy> = {}): IndexStrategy {
  return {
    id: 'index-1',
    tableName: 'demo_analytics.revenue_facts',
    indexName: 'idx_revenue_facts_measure',
    indexType: 'BTREE',
    indexDefinition:
      'CREATE INDEX CONCURRENTLY "idx_revenue_facts_measure" ON "demo_analytics"."revenue_facts" ("measure")',
    columns: ['measure'],
    whereClause: null,
    usagePattern: 'LOOKUP',
    maintenanceWindow: 'OFF_PEAK',
    scheduledAt: null,
    isCreated: false,
    isMonitoring: true,
    applyRequestedAt: null,
    createdInDatabaseAt: null,
    lastError: null,
    discovered: false,
    builtByService: false,
    createdBy: 'user-admin',
    updatedBy: null,
    createdAt: minutesAgo(20),
    updatedAt: minutesAgo(20),
    isActive: true,
    latestUsage: null,
    ...overrides,
  };
}

export function indexUsage(overrides: Partial<IndexUsageStats> = {}): IndexUsageStats {
  return {
    id: 'usage-1',
    indexStrategyId: 'index-1',
    tableName: 'demo_analytics.revenue_facts',
    indexName: 'idx_revenue_facts_measure',
    totalScans: 0,
    totalTuplesRead: 0,
    totalTuplesFetched: 0,
    avgScanTimeMs: 0,
    selectivityRatio: 0,
    indexSizeBytes: 4_194_304,
    maintenanceCostScore: 3.2,
    isRecommendedForDrop: true,
    isUnique: false,
    isPrimary: false,
    statsDate: new Date().toISOString().slice(0, 10),
    lastAnalyzed: minutesAgo(2),
    ...overrides,
  };
}

export function efficiency(overrides: Partial<DatasourceEfficiency> = {}): DatasourceEfficiency {
  return {
    datasourceId: 1,
    name: 'Revenue Analytics',
    hitRateTrend: [
      { date: '2026-11-19', hitRate: null, requests: 0 },
      { date: '2026-11-20', hitRate: 88.5, requests: 400 },
      { date: '2026-11-21', hitRate: 95, requests: 600 },
    ],
    currentHitRate: 95,
    hitRate: { percent: 94.5, hits: 189, requests: 200, windowMinutes: 15, window: 'last 15 min' },
    memoryBytes: 8_388_608,
    cacheHits: 950,
    memoryPerHitBytes: 8830,
    warmsInPeriod: 3,
    avgWarmSeconds: 12,
    warmingCostSeconds: 36,
    queriesServed: 1000,
    queriesPerWarmingSecond: 27.8,
    verdict: 'EFFICIENT',
    ...overrides,
  };
}

/** The datasources list every monitoring page loads for its pickers. */
export const datasourcesRoute = { 'GET /api/admin/datasources': () => jsonResponse(200, datasources) };

/** A 2-day backtest of datasource `id` (2026-01-01 and -02): a 09:00 peak the forecast gets closer to than the rule. */
export function backtestOf(id: number, historyDays = 14): ForecastBacktest {
  const hours = ['2026-01-01', '2026-01-02'].flatMap((day) =>
    Array.from({ length: 24 }, (_, h) => ({
      hour: `${day}T${String(h).padStart(2, '0')}:00:00.000Z`,
      actual: h === 9 ? 100 : 10,
      forecast: h === 9 ? 90 : 10,
      rule: h === 9 ? 60 : 12,
    })),
  );
  if (historyDays < 2)
    return {
      datasourceId: id,
      datasourceName: 'Revenue Analytics',
      errorMeasure: 'WAPE',
      historyDays,
      forecast: { wape: null, mae: 0 },
      rule: { wape: null, mae: 0 },
      days: [],
      hours: [],
    };
  return {
    datasourceId: id,
    datasourceName: 'Revenue Analytics',
    errorMeasure: 'WAPE',
    historyDays,
    forecast: { wape: 3.03, mae: 0.42 },
    rule: { wape: 26.67, mae: 3.58 },
    days: ['2026-01-01', '2026-01-02'].map((date) => ({
      date,
      method: 'WEEKLY_SEASONAL' as const,
      forecast: { wape: 3.03, mae: 0.42 },
      rule: { wape: 26.67, mae: 3.58 },
    })),
    hours,
  };
}

/** The next 48 hours of datasource `id`: a 09:00 peak today and tomorrow, warmed 30 min ahead. */
export function forecastOf(id: number, historyDays = 14): DemandForecast {
  return {
    datasourceId: id,
    datasourceName: 'Revenue Analytics',
    generatedAt: '2026-01-03T08:10:00.000Z',
    historyEnd: historyDays > 0 ? '2026-01-02' : null,
    historyDays,
    model: {
      method: 'WEEKLY_SEASONAL',
      alpha: 0.03,
      gamma: 0.2,
      delta: 0.1,
      historyHours: historyDays * 24,
      inSampleMae: 4.2,
    },
    points: Array.from({ length: 48 }, (_, i) => ({
      hour: new Date(Date.UTC(2026, 0, 3, 8) + i * 3_600_000).toISOString(),
      requests: (8 + i) % 24 === 9 ? 95 : 10,
    })),
    days: ['2026-01-03', '2026-01-04'].map((date) => ({
      date,
      accessPattern: 'PEAKED' as const,
      peakHourStart: 9,
      peakHourEnd: 9,
      predictedRequests: 325,
      predictedPeakRequests: 95,
    })),
    warming: {
      warmSchedule: '30 8 * * *',
      riseHour: 9,
      date: '2026-01-03',
      leadSeconds: 1800,
      measuredWarmSeconds: 12,
    },
  };
}
