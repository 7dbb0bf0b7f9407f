import type { DatasourceEfficiency } from '@ccc/shared-types';
import { round2 } from './usage-analysis.js';

/**
 * Verdict of a datasource's cache over the period:
 * - UNUSED: no query-API request at all — whatever is warmed is wasted.
 * - WASTEFUL: under half the requests hit the cache, or each second spent warming served less than one query.
 * - EFFICIENT: at least 90 % of requests hit the cache and warming was cheap: no warm in the period, or at
 *   least 100 queries served per warming second.
 * - OK: everything in between.
 */
export const EFFICIENT_HIT_RATE = 90;
export const WASTEFUL_HIT_RATE = 50;
export const EFFICIENT_QUERIES_PER_WARM_SECOND = 100;
export const WASTEFUL_QUERIES_PER_WARM_SECOND = 1;

export interface EfficiencyInputs {
  requests: number;
  hits: number;
  memoryBytes: number;
  /** Duration of each COMPLETED warm in the period, in seconds. */
  warmDurationsSeconds: number[];
}

export type EfficiencyFigures = Pick<
  DatasourceEfficiency,
  | 'memoryBytes'
  | 'cacheHits'
  | 'memoryPerHitBytes'
  | 'warmsInPeriod'
  | 'avgWarmSeconds'
  | 'warmingCostSeconds'
  | 'queriesServed'
  | 'queriesPerWarmingSecond'
  | 'verdict'
>;

export function verdictOf(f: {
  queriesServed: number;
  cacheHits: number;
  queriesPerWarmingSecond: number | null;
}): DatasourceEfficiency['verdict'] {
  if (f.queriesServed === 0) return 'UNUSED';
  const hitRate = (f.cacheHits / f.queriesServed) * 100;
  const perSecond = f.queriesPerWarmingSecond;
  if (hitRate < WASTEFUL_HIT_RATE || (perSecond !== null && perSecond < WASTEFUL_QUERIES_PER_WARM_SECOND))
    return 'WASTEFUL';
  if (hitRate >= EFFICIENT_HIT_RATE && (perSecond === null || perSecond >= EFFICIENT_QUERIES_PER_WARM_SECOND))
    return 'EFFICIENT';
  return 'OK';
}

export function efficiencyFigures(inputs: EfficiencyInputs): EfficiencyFigures {
  const warms = inputs.warmDurationsSeconds.length;
  const cost = inputs.warmDurationsSeconds.reduce((sum, s) => sum + Math.max(0, s), 0);
  // A warm shorter than a millisecond still cost something: divide by at least 1 ms per warm.
  const queriesPerWarmingSecond = warms === 0 ? null : round2(inputs.requests / Math.max(cost, warms * 0.001));
  const figures = {
    memoryBytes: inputs.memoryBytes,
    cacheHits: inputs.hits,
    memoryPerHitBytes: inputs.hits === 0 ? null : round2(inputs.memoryBytes / inputs.hits),
    warmsInPeriod: warms,
    avgWarmSeconds: warms === 0 ? null : round2(cost / warms),
    warmingCostSeconds: round2(cost),
    queriesServed: inputs.requests,
    queriesPerWarmingSecond,
  };
  return { ...figures, verdict: verdictOf(figures) };
}
