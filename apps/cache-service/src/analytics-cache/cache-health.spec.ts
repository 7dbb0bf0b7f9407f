import { calculateCacheHealth, overallHealth } from './cache-health.js';

const full = { ageMinutes: 0, cacheHitRate: 100, uniqueMeasures: 1, uniquePractices: 1 };

describe('calculateCacheHealth (seed 004)', () => {
  it.each([
    [59, 100],
    [60, 95],
    [119, 95],
    [120, 90],
    [239, 90],
    [240, 80],
    [359, 80],
    [360, 70],
    [719, 70],
    [720, 60],
  ])('scores age %i minutes as total %i with perfect hit rate and coverage', (ageMinutes, score) => {
    expect(calculateCacheHealth({ ...full, ageMinutes }).score).toBe(score);
  });

  it.each([
    [95, 100],
    [94.99, 95],
    [90, 95],
    [89.99, 90],
    [80, 90],
    [79.99, 80],
    [70, 80],
    [69.99, 70],
    [50, 70],
    [49.99, 60],
  ])('scores hit rate %f as total %i when fresh and covered', (cacheHitRate, score) => {
    expect(calculateCacheHealth({ ...full, cacheHitRate }).score).toBe(score);
  });

  it('gives 10 points each for measures and practices', () => {
    expect(calculateCacheHealth({ ...full, uniqueMeasures: 0 }).score).toBe(90);
    expect(calculateCacheHealth({ ...full, uniquePractices: 0 }).score).toBe(90);
    expect(calculateCacheHealth({ ...full, uniqueMeasures: 0, uniquePractices: 0 }).score).toBe(80);
  });

  it.each([
    [{ ...full }, 'excellent', 100],
    [{ ...full, uniqueMeasures: 0 }, 'excellent', 90],
    [{ ...full, ageMinutes: 60, uniqueMeasures: 0 }, 'good', 85],
    [{ ...full, ageMinutes: 720, cacheHitRate: 95, uniqueMeasures: 0, uniquePractices: 1 }, 'degraded', 50],
    [{ ...full, ageMinutes: 720, cacheHitRate: 85, uniqueMeasures: 0, uniquePractices: 0 }, 'stale', 30],
    [{ ageMinutes: 720, cacheHitRate: 70, uniqueMeasures: 0, uniquePractices: 1 }, 'stale', 30],
    [{ ageMinutes: 720, cacheHitRate: 69, uniqueMeasures: 0, uniquePractices: 1 }, 'cold', 20],
    [{ ageMinutes: 720, cacheHitRate: 50, uniqueMeasures: 0, uniquePractices: 1 }, 'cold', 20],
    [{ ageMinutes: 720, cacheHitRate: 0, uniqueMeasures: 0, uniquePractices: 0 }, 'cold', 0],
  ] as const)('classifies %o as %s (%i)', (metrics, health, score) => {
    expect(calculateCacheHealth(metrics)).toEqual({ health, score });
  });

  it('classifies exactly at the 90 / 75 / 50 thresholds', () => {
    expect(
      calculateCacheHealth({ ageMinutes: 0, cacheHitRate: 90, uniqueMeasures: 1, uniquePractices: 0 }).health,
    ).toBe('good'); // 85
    expect(
      calculateCacheHealth({ ageMinutes: 0, cacheHitRate: 95, uniqueMeasures: 1, uniquePractices: 0 }).health,
    ).toBe('excellent'); // 90
    expect(
      calculateCacheHealth({ ageMinutes: 240, cacheHitRate: 70, uniqueMeasures: 1, uniquePractices: 1 }).health,
    ).toBe('degraded'); // 70
    expect(calculateCacheHealth({ ageMinutes: 60, cacheHitRate: 80, uniqueMeasures: 1, uniquePractices: 0 })).toEqual({
      health: 'good',
      score: 75,
    });
    expect(calculateCacheHealth({ ageMinutes: 120, cacheHitRate: 80, uniqueMeasures: 1, uniquePractices: 0 })).toEqual({
      health: 'degraded',
      score: 70,
    });
    expect(calculateCacheHealth({ ageMinutes: 720, cacheHitRate: 80, uniqueMeasures: 1, uniquePractices: 1 })).toEqual({
      health: 'degraded',
      score: 50,
    });
  });
});

describe('overallHealth', () => {
  it('is decided by the worst datasource', () => {
    expect(overallHealth(['excellent', 'excellent'])).toBe('excellent');
    expect(overallHealth(['excellent', 'good'])).toBe('good');
    expect(overallHealth(['good', 'degraded'])).toBe('degraded');
    expect(overallHealth(['excellent', 'cold'])).toBe('critical');
    expect(overallHealth(['stale'])).toBe('critical');
  });
});
