import type {
  AlertListQuery,
  AuditQuery,
  IndexUsageQuery,
  QueryPerformanceWindowQuery,
  RecommendationListQuery,
  RemediationActionQuery,
  UsagePatternQuery,
  WarmingJobQuery,
} from '@ccc/shared-types';

/** Every TanStack Query key in one place, so invalidation matches what queries use. */
export const queryKeys = {
  datasources: {
    all: ['datasources'] as const,
    list: () => [...queryKeys.datasources.all, 'list'] as const,
    detail: (id: number) => [...queryKeys.datasources.all, 'detail', id] as const,
  },
  audit: {
    all: ['audit'] as const,
    list: (query: AuditQuery) => [...queryKeys.audit.all, 'list', query] as const,
  },
  analyticsCache: {
    all: ['analytics-cache'] as const,
    stats: () => [...queryKeys.analyticsCache.all, 'stats'] as const,
    health: () => [...queryKeys.analyticsCache.all, 'health'] as const,
    details: (datasourceId: number) => [...queryKeys.analyticsCache.all, 'details', datasourceId] as const,
    regions: (datasourceId: number) => [...queryKeys.analyticsCache.all, 'regions', datasourceId] as const,
  },
  warming: {
    all: ['warming'] as const,
    status: () => [...queryKeys.warming.all, 'status'] as const,
    jobs: (query: WarmingJobQuery) => [...queryKeys.warming.all, 'jobs', query] as const,
    schedules: () => [...queryKeys.warming.all, 'schedules'] as const,
  },
  monitoring: {
    all: ['monitoring'] as const,
    thresholds: () => [...queryKeys.monitoring.all, 'thresholds'] as const,
    remediation: () => [...queryKeys.monitoring.all, 'remediation'] as const,
    remediationRules: () => [...queryKeys.monitoring.remediation(), 'rules'] as const,
    remediationActions: (query: RemediationActionQuery) =>
      [...queryKeys.monitoring.remediation(), 'actions', query] as const,
    alerts: () => [...queryKeys.monitoring.all, 'alerts'] as const,
    alertList: (query: AlertListQuery) => [...queryKeys.monitoring.alerts(), 'list', query] as const,
    alert: (id: string) => [...queryKeys.monitoring.alerts(), 'detail', id] as const,
    usage: () => [...queryKeys.monitoring.all, 'usage'] as const,
    usagePatterns: (query: UsagePatternQuery) => [...queryKeys.monitoring.usage(), 'patterns', query] as const,
    hourlyUsage: (query: { datasourceId?: number; from?: string; to?: string }) =>
      [...queryKeys.monitoring.usage(), 'hourly', query] as const,
    forecast: (datasourceId: number, hours: number) =>
      [...queryKeys.monitoring.usage(), 'forecast', datasourceId, hours] as const,
    forecastBacktest: (datasourceId: number, days: number) =>
      [...queryKeys.monitoring.usage(), 'forecast-backtest', datasourceId, days] as const,
    recommendations: () => [...queryKeys.monitoring.all, 'recommendations'] as const,
    recommendationList: (query: RecommendationListQuery) =>
      [...queryKeys.monitoring.recommendations(), 'list', query] as const,
    queryPerformance: () => [...queryKeys.monitoring.all, 'query-performance'] as const,
    slowQueries: (query: QueryPerformanceWindowQuery) =>
      [...queryKeys.monitoring.queryPerformance(), 'slow', query] as const,
    queryPatterns: (query: QueryPerformanceWindowQuery) =>
      [...queryKeys.monitoring.queryPerformance(), 'patterns', query] as const,
    queryPatternHistory: (hash: string, query: QueryPerformanceWindowQuery) =>
      [...queryKeys.monitoring.queryPerformance(), 'pattern', hash, query] as const,
    indexes: () => [...queryKeys.monitoring.all, 'indexes'] as const,
    indexList: () => [...queryKeys.monitoring.indexes(), 'list'] as const,
    indexUsage: (query: IndexUsageQuery) => [...queryKeys.monitoring.indexes(), 'usage', query] as const,
    efficiency: (days: number) => [...queryKeys.monitoring.all, 'efficiency', days] as const,
  },
};
