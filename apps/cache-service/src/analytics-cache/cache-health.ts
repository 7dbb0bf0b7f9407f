import type { CacheHealth, DatasourceCacheMetrics, OverallCacheHealth } from '@ccc/shared-types';

export interface HealthScore {
  health: CacheHealth;
  score: number;
}

/** Seed 004's calculateCacheHealth, unchanged: age 0–40, hit rate 0–40, coverage 0–20 points. */
export function calculateCacheHealth(
  metrics: Pick<DatasourceCacheMetrics, 'ageMinutes' | 'cacheHitRate' | 'uniqueMeasures' | 'uniquePractices'>,
): HealthScore {
  const ageMinutes = metrics.ageMinutes;
  const hitRate = metrics.cacheHitRate;

  let ageScore: number;
  if (ageMinutes < 60) ageScore = 40;
  else if (ageMinutes < 120) ageScore = 35;
  else if (ageMinutes < 240) ageScore = 30;
  else if (ageMinutes < 360) ageScore = 20;
  else if (ageMinutes < 720) ageScore = 10;
  else ageScore = 0;

  let hitRateScore: number;
  if (hitRate >= 95) hitRateScore = 40;
  else if (hitRate >= 90) hitRateScore = 35;
  else if (hitRate >= 80) hitRateScore = 30;
  else if (hitRate >= 70) hitRateScore = 20;
  else if (hitRate >= 50) hitRateScore = 10;
  else hitRateScore = 0;

  const hasMeasures = metrics.uniqueMeasures > 0 ? 10 : 0;
  const hasPractices = metrics.uniquePractices > 0 ? 10 : 0;
  const coverageScore = hasMeasures + hasPractices;

  const totalScore = ageScore + hitRateScore + coverageScore;

  if (totalScore >= 90) return { health: 'excellent', score: totalScore };
  if (totalScore >= 75) return { health: 'good', score: totalScore };
  if (totalScore >= 50) return { health: 'degraded', score: totalScore };
  if (totalScore >= 25) return { health: 'stale', score: totalScore };
  return { health: 'cold', score: totalScore };
}

/** Overall level of the seed's health endpoint: the worst datasource decides, so one cold cache is never averaged away. */
export function overallHealth(levels: CacheHealth[]): OverallCacheHealth {
  if (levels.length === 0) return 'excellent';
  if (levels.some((level) => level === 'cold' || level === 'stale')) return 'critical';
  if (levels.some((level) => level === 'degraded')) return 'degraded';
  if (levels.some((level) => level === 'good')) return 'good';
  return 'excellent';
}
