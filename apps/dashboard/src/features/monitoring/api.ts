import type {
  AcknowledgeAlertRequest,
  AlertEvaluationResult,
  AlertListQuery,
  ApplyIndexResult,
  CacheAlert,
  CreateIndexStrategyRequest,
  CreateRemediationRuleRequest,
  CreateThresholdRequest,
  DemandForecast,
  EfficiencyReport,
  ForecastBacktest,
  HourlyUsage,
  IndexCollectionResult,
  IndexStrategy,
  IndexUsageQuery,
  IndexUsageStats,
  Paginated,
  PerformanceThreshold,
  QueryPatternSummary,
  QueryPerformanceEntry,
  QueryPerformanceWindowQuery,
  Recommendation,
  RecommendationDecisionRequest,
  RecommendationGenerationResult,
  RecommendationListQuery,
  RemediationAction,
  RemediationActionQuery,
  RemediationRule,
  ResolveAlertRequest,
  RollupRequest,
  UpdateIndexStrategyRequest,
  UpdateRemediationRuleRequest,
  UpdateThresholdRequest,
  UsagePattern,
  UsagePatternQuery,
} from '@ccc/shared-types';
import { request } from '../../lib/api-client';

const BASE = '/api/admin/monitoring';
const id = (value: string) => encodeURIComponent(value);

export interface HourlyUsageQuery {
  datasourceId?: number;
  /** ISO timestamps; the server defaults to the last 48 hours. */
  from?: string;
  to?: string;
}

export type RecommendationDecision = 'approve' | 'reject' | 'implement';

/** Thresholds, alerts, usage, recommendations, query performance, indexes and efficiency (issue 5). */
export const monitoringApi = {
  remediationRules: (signal?: AbortSignal) =>
    request<RemediationRule[]>('GET', `${BASE}/remediation/rules`, { signal }),
  createRemediationRule: (body: CreateRemediationRuleRequest) =>
    request<RemediationRule>('POST', `${BASE}/remediation/rules`, { body }),
  updateRemediationRule: (ruleId: string, body: UpdateRemediationRuleRequest) =>
    request<RemediationRule>('PATCH', `${BASE}/remediation/rules/${id(ruleId)}`, { body }),
  deleteRemediationRule: (ruleId: string) => request<void>('DELETE', `${BASE}/remediation/rules/${id(ruleId)}`),
  remediationActions: (query: RemediationActionQuery, signal?: AbortSignal) =>
    request<Paginated<RemediationAction>>('GET', `${BASE}/remediation/actions`, { query: { ...query }, signal }),
  undoRemediationAction: (actionId: string) =>
    request<RemediationAction>('POST', `${BASE}/remediation/actions/${id(actionId)}/undo`),

  thresholds: (includeInactive: boolean, signal?: AbortSignal) =>
    request<PerformanceThreshold[]>('GET', `${BASE}/thresholds`, {
      query: { includeInactive: includeInactive || undefined },
      signal,
    }),
  createThreshold: (body: CreateThresholdRequest) =>
    request<PerformanceThreshold>('POST', `${BASE}/thresholds`, { body }),
  updateThreshold: (thresholdId: string, body: UpdateThresholdRequest) =>
    request<PerformanceThreshold>('PATCH', `${BASE}/thresholds/${id(thresholdId)}`, { body }),
  deleteThreshold: (thresholdId: string) => request<void>('DELETE', `${BASE}/thresholds/${id(thresholdId)}`),

  alerts: (query: AlertListQuery, signal?: AbortSignal) =>
    request<Paginated<CacheAlert>>('GET', `${BASE}/alerts`, { query: { ...query }, signal }),
  alert: (alertId: string, signal?: AbortSignal) =>
    request<CacheAlert>('GET', `${BASE}/alerts/${id(alertId)}`, { signal }),
  acknowledgeAlert: (alertId: string, body: AcknowledgeAlertRequest) =>
    request<CacheAlert>('POST', `${BASE}/alerts/${id(alertId)}/acknowledge`, { body }),
  resolveAlert: (alertId: string, body: ResolveAlertRequest) =>
    request<CacheAlert>('POST', `${BASE}/alerts/${id(alertId)}/resolve`, { body }),
  evaluateAlerts: () => request<AlertEvaluationResult>('POST', `${BASE}/alerts/evaluate`),

  usagePatterns: (query: UsagePatternQuery, signal?: AbortSignal) =>
    request<UsagePattern[]>('GET', `${BASE}/usage-patterns`, { query: { ...query }, signal }),
  hourlyUsage: (query: HourlyUsageQuery, signal?: AbortSignal) =>
    request<HourlyUsage[]>('GET', `${BASE}/usage/hourly`, { query: { ...query }, signal }),
  rollup: (body: RollupRequest) => request<UsagePattern[]>('POST', `${BASE}/usage-patterns/rollup`, { body }),
  forecast: (datasourceId: number, hours: number, signal?: AbortSignal) =>
    request<DemandForecast>('GET', `${BASE}/usage-patterns/${datasourceId}/forecast`, { query: { hours }, signal }),
  forecastBacktest: (datasourceId: number, days: number, signal?: AbortSignal) =>
    request<ForecastBacktest>('GET', `${BASE}/usage-patterns/${datasourceId}/forecast/backtest`, {
      query: { days },
      signal,
    }),

  recommendations: (query: RecommendationListQuery, signal?: AbortSignal) =>
    request<Paginated<Recommendation>>('GET', `${BASE}/recommendations`, { query: { ...query }, signal }),
  decideRecommendation: (
    recommendationId: string,
    decision: RecommendationDecision,
    body: RecommendationDecisionRequest = {},
  ) => request<Recommendation>('POST', `${BASE}/recommendations/${id(recommendationId)}/${decision}`, { body }),
  generateRecommendations: () => request<RecommendationGenerationResult>('POST', `${BASE}/recommendations/generate`),

  slowQueries: (query: QueryPerformanceWindowQuery, signal?: AbortSignal) =>
    request<QueryPerformanceEntry[]>('GET', `${BASE}/query-performance/slow`, { query: { ...query }, signal }),
  queryPatterns: (query: QueryPerformanceWindowQuery, signal?: AbortSignal) =>
    request<QueryPatternSummary[]>('GET', `${BASE}/query-performance/patterns`, { query: { ...query }, signal }),
  /** The server defaults to the last 24 hours: pass the window the pattern was listed for. */
  queryPatternHistory: (hash: string, query: QueryPerformanceWindowQuery, signal?: AbortSignal) =>
    request<QueryPerformanceEntry[]>('GET', `${BASE}/query-performance/patterns/${id(hash)}`, {
      query: { ...query },
      signal,
    }),

  indexes: (signal?: AbortSignal) => request<IndexStrategy[]>('GET', `${BASE}/indexes`, { signal }),
  createIndex: (body: CreateIndexStrategyRequest) => request<IndexStrategy>('POST', `${BASE}/indexes`, { body }),
  updateIndex: (strategyId: string, body: UpdateIndexStrategyRequest) =>
    request<IndexStrategy>('PATCH', `${BASE}/indexes/${id(strategyId)}`, { body }),
  deleteIndex: (strategyId: string, dropIndex: boolean) =>
    request<void>('DELETE', `${BASE}/indexes/${id(strategyId)}`, { query: { dropIndex: dropIndex || undefined } }),
  applyIndex: (strategyId: string) => request<ApplyIndexResult>('POST', `${BASE}/indexes/${id(strategyId)}/apply`),
  indexUsage: (query: IndexUsageQuery, signal?: AbortSignal) =>
    request<IndexUsageStats[]>('GET', `${BASE}/indexes/usage`, { query: { ...query }, signal }),
  collectIndexes: () => request<IndexCollectionResult>('POST', `${BASE}/indexes/collect`),

  efficiency: (days: number, signal?: AbortSignal) =>
    request<EfficiencyReport>('GET', `${BASE}/efficiency`, { query: { days }, signal }),
};
