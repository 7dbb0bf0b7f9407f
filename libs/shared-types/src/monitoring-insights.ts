/** Monitoring: usage patterns, optimization recommendations and the efficiency report (seed 000, seed 004 phase 4). */

import type { HitRate } from './analytics-cache.js';

// ---------------------------------------------------------------------------------------------
// Usage patterns
// ---------------------------------------------------------------------------------------------

export const CACHE_RESOURCE_TYPES = ['ANALYTICS_DATASOURCE', 'QUERY_RESULT', 'INDEX_SET'] as const;
export type CacheResourceType = (typeof CACHE_RESOURCE_TYPES)[number];

/** How a day's traffic is shaped (stored in access_pattern). */
export const ACCESS_PATTERNS = ['IDLE', 'STEADY', 'PEAKED', 'BURSTY'] as const;
export type AccessPattern = (typeof ACCESS_PATTERNS)[number];

export interface UsagePattern {
  id: string;
  cacheStrategyId: string;
  datasourceId: number;
  datasourceName: string;
  resourceType: CacheResourceType;
  accessPattern: AccessPattern;
  /** UTC hours, inclusive. */
  peakHourStart: number;
  peakHourEnd: number;
  /** Percentages 0–100. */
  averageHitRate: number;
  peakHitRate: number;
  optimalTtlSeconds: number;
  dailyRequests: number;
  dailyCacheHits: number;
  /** 24 request counts, UTC hour 0…23. */
  hourlyRequests: number[];
  hourlyHits: number[];
  /** YYYY-MM-DD (UTC day analysed). */
  analysisDate: string;
  calculatedAt: string;
}

export interface UsagePatternQuery {
  datasourceId?: number;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
}

/** One UTC hour of query-API traffic of one datasource (from the hourly Redis counters, kept 8 days). */
export interface HourlyUsage {
  datasourceId: number;
  /** ISO timestamp of the hour's start. */
  hour: string;
  requests: number;
  hits: number;
  /** Percentage, null when there were no requests. */
  hitRate: number | null;
  /** Average query-API time in ms, null when there were no requests. */
  avgQueryTimeMs: number | null;
}

export interface RollupRequest {
  /** UTC day to analyse, YYYY-MM-DD; default yesterday. */
  date?: string;
}

// ---------------------------------------------------------------------------------------------
// Recommendations
// ---------------------------------------------------------------------------------------------

export const RECOMMENDATION_TYPES = [
  'ADJUST_TTL',
  'WARMING_SCHEDULE',
  'PREDICTIVE_WARMING',
  'ADD_SOURCE_INDEX',
  'DROP_UNUSED_INDEX',
  'INCREASE_MEMORY',
] as const;
export type RecommendationType = (typeof RECOMMENDATION_TYPES)[number];

export const RECOMMENDATION_PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type RecommendationPriority = (typeof RECOMMENDATION_PRIORITIES)[number];

export const IMPLEMENTATION_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'IMPLEMENTED'] as const;
export type ImplementationStatus = (typeof IMPLEMENTATION_STATUSES)[number];

export interface Recommendation {
  id: string;
  cacheStrategyId: string;
  datasourceId: number;
  datasourceName: string;
  recommendationType: RecommendationType;
  priority: RecommendationPriority;
  recommendationDescription: string;
  /** E.g. `{ warmSchedule: null }`, `{ stalenessTtlSeconds: 14400 }`, `{ indexName: null }`. */
  currentConfiguration: Record<string, unknown>;
  recommendedConfiguration: Record<string, unknown>;
  estimatedImprovement: number;
  /** What estimatedImprovement measures, e.g. `hit_rate_pct`, `query_time_ms`, `mb_freed`. */
  improvementMetric: string;
  implementationStatus: ImplementationStatus;
  /** What the recommendation is about within its datasource (one open recommendation per target). */
  targetKey: string;
  approvedBy: string | null;
  approvedAt: string | null;
  implementedAt: string | null;
  implementationNotes: string | null;
  createdBy: string;
  createdAt: string;
}

export interface RecommendationListQuery {
  status?: ImplementationStatus;
  datasourceId?: number;
  recommendationType?: RecommendationType;
  page?: number;
  pageSize?: number;
}

export interface RecommendationDecisionRequest {
  notes?: string;
}

export interface RecommendationGenerationResult {
  generatedAt: string;
  created: number;
  /** Rules that matched a target that already has an open recommendation. */
  alreadyOpen: number;
  ran: boolean;
}

// ---------------------------------------------------------------------------------------------
// Efficiency report (seed 004, phase 4)
// ---------------------------------------------------------------------------------------------

export interface DatasourceEfficiency {
  datasourceId: number;
  name: string;
  /** Per UTC day of the period, oldest first (from usage patterns; today from the live counters). */
  hitRateTrend: Array<{ date: string; hitRate: number | null; requests: number }>;
  /** The last 24 hours (rolling); for "now", read `hitRate`. */
  currentHitRate: number | null;
  /** The hit rate over the named window: the same figure as the cache statistics'. */
  hitRate: HitRate;
  memoryBytes: number;
  cacheHits: number;
  /** Redis bytes held per cache hit served in the period; null without hits. */
  memoryPerHitBytes: number | null;
  warmsInPeriod: number;
  avgWarmSeconds: number | null;
  /** Σ warm durations in the period (time × frequency). */
  warmingCostSeconds: number;
  queriesServed: number;
  /** Queries answered per second of warming; null when nothing was warmed. */
  queriesPerWarmingSecond: number | null;
  verdict: 'EFFICIENT' | 'OK' | 'WASTEFUL' | 'UNUSED';
}

export interface EfficiencyReport {
  generatedAt: string;
  periodDays: number;
  from: string;
  to: string;
  datasources: DatasourceEfficiency[];
}
