import type { AccessPattern, Recommendation } from '@ccc/shared-types';
import { nextRuns } from '../datasources/cron.js';
import type { WarmingForecast } from './forecast-plan.js';
import { PREDICTIVE_LEAD_SECONDS, round2 } from './usage-analysis.js';

/**
 * The recommendation rules: pure functions from a snapshot of one datasource (its configuration, its latest
 * usage pattern, its query-performance aggregates, the indexes on its table) or of Redis, to candidate
 * recommendations. Each candidate names its target; the service keeps one open recommendation per
 * (datasource, type, target).
 */

export const LOW_HIT_RATE = 80;
export const MIN_REQUESTS_FOR_HIT_RATE = 20;
/** A warm schedule "covers" a peak when it fires within this long before the peak starts. */
export const PEAK_COVER_SECONDS = 2 * 3600;
export const TTL_RATIO = 2;
/**
 * ADD_SOURCE_INDEX needs at least this many slow, unindexed cold-fallback queries (application_context
 * `cold-fallback:…`) of the datasource within SLOW_UNINDEXED_WINDOW_DAYS: one slow query can be a lock wait or a
 * cold buffer cache, not a missing index. Warming reads are never counted: they read the whole table (an index
 * would not help) and their time includes waiting for the Redis writes.
 */
export const MIN_SLOW_UNINDEXED = 3;
export const SLOW_UNINDEXED_WINDOW_DAYS = 7;
export const MEMORY_USED_SHARE = 0.85;

export interface PatternSnapshot {
  accessPattern: AccessPattern;
  peakHourStart: number;
  peakHourEnd: number;
  averageHitRate: number;
  peakHitRate: number;
  optimalTtlSeconds: number;
  dailyRequests: number;
  analysisDate: string;
  /** The day's 24 hourly counts (for the hit rate in a predicted peak window). */
  hourlyRequests?: number[];
  hourlyHits?: number[];
}

export interface DatasourceSnapshot {
  now: Date;
  datasourceId: number;
  name: string;
  sourceTable: string;
  /** The columns the query API filters on first: the mapping's measure and frequency columns. */
  filterColumns: string[];
  stalenessTtlSeconds: number;
  warmSchedule: string | null;
  enabled: boolean;
  /** ISO time of the live generation's warm; null when cold. */
  lastWarmed: string | null;
  latestPattern: PatternSnapshot | null;
  /** query_performance_log of this datasource over the last SLOW_UNINDEXED_WINDOW_DAYS: slow cold-fallback executions that used no index. */
  slowUnindexed: { executions: number; avgTimeMs: number };
  /** Column lists (in order) of the indexes on the source table (catalog and active index strategies). */
  sourceIndexes: string[][];
  /** Latest usage statistics flagged for dropping, of indexes on the source table. */
  dropCandidates: Array<{
    indexStrategyId: string;
    indexName: string;
    tableName: string;
    indexSizeBytes: number;
    totalScans: number;
  }>;
  /** Whether a PREDICTIVE_WARMING recommendation is open for the datasource. */
  predictiveWarmingOpen: boolean;
  /** The demand forecast's warm-before-the-rise plan (forecast.service.ts); null when no day ahead peaks. */
  forecast: WarmingForecast | null;
}

export interface RedisMemorySnapshot {
  usedBytes: number;
  /** 0 = no limit. */
  maxBytes: number;
  evictedKeys: number;
}

/** A recommendation a rule proposes, before it is stored. */
export type Candidate = Pick<
  Recommendation,
  | 'recommendationType'
  | 'targetKey'
  | 'priority'
  | 'currentConfiguration'
  | 'recommendedConfiguration'
  | 'estimatedImprovement'
  | 'improvementMetric'
> & { description: string };

const hh = (hour: number): string => `${String(hour).padStart(2, '0')}:00`;

/** Daily cron that fires `leadSeconds` before `hour`:00 UTC (wrapping past midnight). */
export function cronBefore(hour: number, leadSeconds = PREDICTIVE_LEAD_SECONDS): string {
  const minuteOfDay = (((hour * 60 - Math.round(leadSeconds / 60)) % 1440) + 1440) % 1440;
  return `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} * * *`;
}

/** Whether `cron` fires in the `windowSeconds` before `hour`:00 UTC on the day after `now`. */
export function firesBefore(cron: string | null, hour: number, now: Date, windowSeconds = PEAK_COVER_SECONDS): boolean {
  if (!cron) return false;
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, hour);
  const next = nextRuns(cron, 1, new Date(tomorrow - windowSeconds * 1000 - 1));
  return next !== null && next.length > 0 && next[0].getTime() < tomorrow;
}

/**
 * A cron that fires at least once every `ttlSeconds`, evenly: every N minutes (N a divisor of 60, ≥ 5), every N
 * hours (N a divisor of 24), or daily.
 */
export function cronEvery(ttlSeconds: number): string {
  const minutes = Math.floor(ttlSeconds / 60);
  if (minutes < 60) {
    const n = [30, 20, 15, 12, 10, 6, 5].find((d) => d <= minutes) ?? 5;
    return `*/${n} * * * *`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const n = [12, 8, 6, 4, 3, 2, 1].find((d) => d <= hours)!;
    return n === 1 ? '0 * * * *' : `0 */${n} * * *`;
  }
  return '0 0 * * *';
}

const describeSeconds = (seconds: number): string =>
  seconds % 86_400 === 0
    ? `${seconds / 86_400} d`
    : seconds % 3600 === 0
      ? `${seconds / 3600} h`
      : seconds >= 3600
        ? `${round2(seconds / 3600)} h`
        : `${Math.round(seconds / 60)} min`;

const METHOD_LABELS: Record<WarmingForecast['model']['method'], string> = {
  WEEKLY_SEASONAL: 'Holt-Winters, daily and weekly seasonality',
  DAILY_SEASONAL: 'Holt-Winters, daily seasonality',
  SEASONAL_NAIVE: 'one day of history, repeated',
  MEAN: 'the mean hour',
};

/** Hit rate (percent) of `hours` [start, end] on the observed day, or its peak hit rate without hourly counts. */
function hitRateIn(p: PatternSnapshot, start: number, end: number): number {
  if (!p.hourlyRequests || !p.hourlyHits || p.hourlyRequests.length !== 24) return p.peakHitRate;
  const sum = (values: number[]): number => values.slice(start, end + 1).reduce((a, b) => a + b, 0);
  const requests = sum(p.hourlyRequests);
  return requests === 0 ? p.peakHitRate : round2(Math.min(100, (sum(p.hourlyHits) / requests) * 100));
}

/**
 * The forecast predicts a day with a clear peak, and no scheduled warm runs in the lead time (at least
 * PEAK_COVER_SECONDS) before its rise: warm daily the lead time before the predicted rise — the lead coming from the
 * datasource's measured warms (forecast-plan.ts). Acts on datasources with a recent complete usage pattern, whose
 * hit rate in the predicted peak hours is the improvement at stake.
 */
export function predictiveWarmingRule(s: DatasourceSnapshot): Candidate | null {
  const p = s.latestPattern;
  const f = s.forecast;
  if (!s.enabled || !p || !f) return null;
  const { peakHourStart: rise, peakHourEnd: end } = f.day;
  const cover = Math.max(PEAK_COVER_SECONDS, f.leadSeconds);
  if (firesBefore(s.warmSchedule, rise, s.now, cover)) return null;
  const cron = cronBefore(rise, f.leadSeconds);
  const hitRate = hitRateIn(p, rise, end);
  const gain = round2(Math.max(0, 100 - hitRate));
  const history = f.model.historyHours / 24;
  const lead =
    f.measuredWarmSeconds === null
      ? `${describeSeconds(f.leadSeconds)} ahead (no warm measured yet)`
      : `${describeSeconds(f.leadSeconds)} ahead (the last warms took up to ${round2(f.measuredWarmSeconds)} s)`;
  return {
    recommendationType: 'PREDICTIVE_WARMING',
    targetKey: 'warm-schedule',
    priority: gain >= 20 ? 'HIGH' : gain >= 5 ? 'MEDIUM' : 'LOW',
    description:
      `The demand forecast (${METHOD_LABELS[f.model.method]}, ${history} day${history === 1 ? '' : 's'} of history) predicts traffic rising at ` +
      `${hh(rise)} UTC on ${f.day.date} and peaking ${hh(rise)}–${hh(end + 1)} (about ${f.day.predictedPeakRequests} of ${f.day.predictedRequests} requests); ` +
      `those hours had a ${hitRate}% hit rate on ${p.analysisDate} and no scheduled warm runs in the ${describeSeconds(cover)} before them: ` +
      `warm daily at "${cron}", ${lead}, so the cache is fresh when the traffic rises` +
      (s.warmSchedule ? ` (replaces the schedule "${s.warmSchedule}").` : '.'),
    currentConfiguration: { warmSchedule: s.warmSchedule },
    recommendedConfiguration: { warmSchedule: cron },
    estimatedImprovement: gain,
    improvementMetric: 'peak_hit_rate_pct',
  };
}

function isStale(s: DatasourceSnapshot): boolean {
  if (!s.lastWarmed) return true;
  return s.now.getTime() - Date.parse(s.lastWarmed) > s.stalenessTtlSeconds * 1000;
}

/**
 * Hit rate below LOW_HIT_RATE (latest day with ≥ MIN_REQUESTS_FOR_HIT_RATE requests) while the cache goes stale
 * (cold, older than its staleness TTL, or no schedule at all): warm every staleness-TTL period. Left to
 * PREDICTIVE_WARMING when that one applies or is open (both change the schedule).
 */
export function warmingScheduleRule(s: DatasourceSnapshot, predictive: Candidate | null): Candidate | null {
  const p = s.latestPattern;
  if (!s.enabled || !p || predictive || s.predictiveWarmingOpen) return null;
  if (p.dailyRequests < MIN_REQUESTS_FOR_HIT_RATE || p.averageHitRate >= LOW_HIT_RATE) return null;
  if (s.warmSchedule && !isStale(s)) return null;
  const cron = cronEvery(s.stalenessTtlSeconds);
  if (cron === s.warmSchedule) return null;
  const gain = round2(LOW_HIT_RATE - p.averageHitRate);
  return {
    recommendationType: 'WARMING_SCHEDULE',
    targetKey: 'warm-schedule',
    priority: p.averageHitRate < 50 ? 'HIGH' : 'MEDIUM',
    description:
      `Hit rate ${p.averageHitRate}% on ${p.analysisDate} while the cache ${s.warmSchedule ? 'goes stale' : 'has no warm schedule'}` +
      `: warm every staleness-TTL period (${describeSeconds(s.stalenessTtlSeconds)}) with "${cron}".`,
    currentConfiguration: { warmSchedule: s.warmSchedule },
    recommendedConfiguration: { warmSchedule: cron },
    estimatedImprovement: gain,
    improvementMetric: 'hit_rate_pct',
  };
}

/** The latest day suggests a staleness TTL more than TTL_RATIO times longer or shorter than the current one. */
export function adjustTtlRule(s: DatasourceSnapshot): Candidate | null {
  const p = s.latestPattern;
  if (!p || p.accessPattern === 'IDLE') return null;
  const current = s.stalenessTtlSeconds;
  const optimal = p.optimalTtlSeconds;
  const ratio = Math.max(current, optimal) / Math.min(current, optimal);
  if (ratio <= TTL_RATIO) return null;
  const shorter = optimal < current;
  return {
    recommendationType: 'ADJUST_TTL',
    targetKey: 'staleness-ttl',
    priority: ratio > 8 ? 'MEDIUM' : 'LOW',
    description: shorter
      ? `The ${p.accessPattern.toLowerCase()} traffic of ${p.analysisDate} needs data at most ${describeSeconds(optimal)} old, but the staleness TTL is ${describeSeconds(current)}: lower it so staleness is reported (and warms scheduled) in time.`
      : `The ${p.accessPattern.toLowerCase()} traffic of ${p.analysisDate} is served well by data up to ${describeSeconds(optimal)} old, but the staleness TTL is ${describeSeconds(current)}: raise it to warm less often.`,
    currentConfiguration: { stalenessTtlSeconds: current },
    recommendedConfiguration: { stalenessTtlSeconds: optimal },
    estimatedImprovement: shorter ? current - optimal : round2(86_400 / current - 86_400 / optimal),
    improvementMetric: shorter ? 'staleness_seconds_reduced' : 'warms_per_day_saved',
  };
}

const bareTable = (table: string): string => table.split('.').pop()!;

/** Index name for the recommended source index (≤ 63 characters, PostgreSQL's limit). */
export function sourceIndexName(table: string, columns: string[]): string {
  return `ix_ccc_${bareTable(table)}_${columns.join('_')}`.toLowerCase().slice(0, 63);
}

/** Whether an index's leading columns are exactly `columns` (in any order). */
export function covers(index: string[], columns: string[]): boolean {
  if (index.length < columns.length) return false;
  const leading = new Set(index.slice(0, columns.length));
  return columns.every((column) => leading.has(column));
}

/**
 * At least MIN_SLOW_UNINDEXED slow cold-fallback executions that used no index in the last SLOW_UNINDEXED_WINDOW_DAYS,
 * and no index leads with the query API's filter columns.
 */
export function addSourceIndexRule(s: DatasourceSnapshot): Candidate | null {
  if (s.slowUnindexed.executions < MIN_SLOW_UNINDEXED || s.filterColumns.length === 0) return null;
  if (s.sourceIndexes.some((index) => covers(index, s.filterColumns))) return null;
  const columns = [...s.filterColumns];
  const indexName = sourceIndexName(s.sourceTable, columns);
  return {
    recommendationType: 'ADD_SOURCE_INDEX',
    targetKey: `index:${s.sourceTable}(${columns.join(',')})`,
    priority: s.slowUnindexed.executions >= 10 ? 'HIGH' : 'MEDIUM',
    description:
      `${s.slowUnindexed.executions} slow cold-fallback quer${s.slowUnindexed.executions === 1 ? 'y' : 'ies'} on ${s.sourceTable} in the last ${SLOW_UNINDEXED_WINDOW_DAYS} days used no index ` +
      `(average ${round2(s.slowUnindexed.avgTimeMs)} ms): add a composite index on (${columns.join(', ')}), built in the off-peak window.`,
    currentConfiguration: { indexName: null },
    recommendedConfiguration: {
      tableName: s.sourceTable,
      indexName,
      indexType: 'COMPOSITE',
      columns,
      usagePattern: 'ANALYTICS',
      maintenanceWindow: 'OFF_PEAK',
    },
    estimatedImprovement: round2(s.slowUnindexed.avgTimeMs),
    improvementMetric: 'query_time_ms',
  };
}

const MB = 1024 * 1024;

/**
 * Indexes on the source table that the index-usage collector flagged for dropping (large and unused). The
 * improvement is the space freed in MB (2 decimals): in bytes, large indexes would exceed the column's range.
 */
export function dropUnusedIndexRules(s: DatasourceSnapshot): Candidate[] {
  return s.dropCandidates.map((c) => ({
    recommendationType: 'DROP_UNUSED_INDEX' as const,
    targetKey: `drop-index:${c.tableName}.${c.indexName}`,
    priority: c.indexSizeBytes >= 100 * MB ? ('MEDIUM' as const) : ('LOW' as const),
    description: `Index ${c.indexName} on ${c.tableName} takes ${round2(c.indexSizeBytes / MB)} MB and was scanned ${c.totalScans} times: drop it to save space and write cost.`,
    currentConfiguration: { index: c.indexName },
    recommendedConfiguration: { drop: c.indexName, indexStrategyId: c.indexStrategyId },
    estimatedImprovement: round2(c.indexSizeBytes / MB),
    improvementMetric: 'mb_freed',
  }));
}

/**
 * Redis near its memory limit (≥ MEMORY_USED_SHARE of maxmemory) or evicting keys: advisory (the service cannot
 * resize Redis). Suggests 1.5 × the larger of the limit and the memory used, in whole MB.
 */
export function increaseMemoryRule(m: RedisMemorySnapshot): Candidate | null {
  const nearLimit = m.maxBytes > 0 && m.usedBytes >= m.maxBytes * MEMORY_USED_SHARE;
  if (!nearLimit && m.evictedKeys <= 0) return null;
  const suggested = Math.ceil((Math.max(m.maxBytes, m.usedBytes) * 1.5) / MB) * MB;
  const share = m.maxBytes > 0 ? round2((m.usedBytes / m.maxBytes) * 100) : null;
  return {
    recommendationType: 'INCREASE_MEMORY',
    targetKey: 'redis-memory',
    priority: m.evictedKeys > 0 || (share !== null && share >= 95) ? 'HIGH' : 'MEDIUM',
    description:
      `Redis ${share !== null ? `uses ${share}% of its ${round2(m.maxBytes / MB)} MB limit` : 'has no memory limit'}` +
      `${m.evictedKeys > 0 ? ` and has evicted ${m.evictedKeys} keys since it started` : ''}: raise maxmemory to about ${suggested / MB} MB (an operator change outside this service).`,
    currentConfiguration: { maxmemoryBytes: m.maxBytes, usedMemoryBytes: m.usedBytes, evictedKeys: m.evictedKeys },
    recommendedConfiguration: { maxmemoryBytes: suggested },
    estimatedImprovement: round2(((suggested - m.usedBytes) / suggested) * 100),
    improvementMetric: 'memory_headroom_pct',
  };
}

/** Every datasource rule, in the order they are considered. */
export function datasourceCandidates(s: DatasourceSnapshot): Candidate[] {
  const predictive = predictiveWarmingRule(s);
  return [
    predictive,
    warmingScheduleRule(s, predictive),
    adjustTtlRule(s),
    addSourceIndexRule(s),
    ...dropUnusedIndexRules(s),
  ].filter((candidate): candidate is Candidate => candidate !== null);
}
