import {
  addSourceIndexRule,
  adjustTtlRule,
  covers,
  cronBefore,
  cronEvery,
  datasourceCandidates,
  dropUnusedIndexRules,
  firesBefore,
  increaseMemoryRule,
  MIN_SLOW_UNINDEXED,
  predictiveWarmingRule,
  warmingScheduleRule,
  type DatasourceSnapshot,
  type PatternSnapshot,
} from './recommendation-rules.js';
import { efficiencyFigures, verdictOf } from './efficiency.js';
import type { WarmingForecast } from './forecast-plan.js';

const NOW = new Date('2026-03-10T09:00:00Z');

const peaked: PatternSnapshot = {
  accessPattern: 'PEAKED',
  peakHourStart: 14,
  peakHourEnd: 16,
  averageHitRate: 59.5,
  peakHitRate: 50,
  optimalTtlSeconds: 16_200,
  dailyRequests: 2220,
  analysisDate: '2026-03-09',
};

/** The forecast predicts tomorrow's peak at 14–16 (as yesterday's), fitted on two weeks, no warm measured yet. */
const forecast: WarmingForecast = {
  model: { method: 'WEEKLY_SEASONAL', alpha: 0.03, gamma: 0.2, delta: 0.1, historyHours: 336, inSampleMae: 12.5 },
  day: {
    date: '2026-03-10',
    accessPattern: 'PEAKED',
    peakHourStart: 14,
    peakHourEnd: 16,
    predictedRequests: 2200,
    predictedPeakRequests: 1790,
  },
  leadSeconds: 1800,
  measuredWarmSeconds: null,
};

function snapshot(patch: Partial<DatasourceSnapshot> = {}): DatasourceSnapshot {
  return {
    now: NOW,
    datasourceId: 7,
    name: 'Revenue',
    sourceTable: 'demo.revenue',
    filterColumns: ['measure', 'frequency'],
    stalenessTtlSeconds: 14_400,
    warmSchedule: null,
    enabled: true,
    lastWarmed: '2026-03-10T08:00:00Z',
    latestPattern: peaked,
    slowUnindexed: { executions: 0, avgTimeMs: 0 },
    sourceIndexes: [],
    dropCandidates: [],
    predictiveWarmingOpen: false,
    forecast,
    ...patch,
  };
}

describe('cron helpers', () => {
  it('schedules 30 minutes before the peak, wrapping past midnight', () => {
    expect(cronBefore(14)).toBe('30 13 * * *');
    expect(cronBefore(0)).toBe('30 23 * * *');
  });

  it('tells whether a schedule fires in the 2 hours before an hour', () => {
    expect(firesBefore('30 13 * * *', 14, NOW)).toBe(true);
    expect(firesBefore('0 */4 * * *', 14, NOW)).toBe(true); // 12:00
    expect(firesBefore('0 3 * * *', 14, NOW)).toBe(false);
    expect(firesBefore('0 14 * * *', 14, NOW)).toBe(false); // at the peak is too late
    expect(firesBefore('45 23 * * *', 0, NOW)).toBe(true); // across midnight
    expect(firesBefore(null, 14, NOW)).toBe(false);
  });

  it('turns a TTL into an even schedule that fires at least that often', () => {
    expect(cronEvery(300)).toBe('*/5 * * * *');
    expect(cronEvery(25 * 60)).toBe('*/20 * * * *');
    expect(cronEvery(3600)).toBe('0 * * * *');
    expect(cronEvery(14_400)).toBe('0 */4 * * *');
    expect(cronEvery(5 * 3600)).toBe('0 */4 * * *');
    expect(cronEvery(2 * 86_400)).toBe('0 0 * * *');
  });
});

describe('PREDICTIVE_WARMING', () => {
  it('recommends a daily warm before the predicted rise, with the forecast as its reason', () => {
    const c = predictiveWarmingRule(snapshot())!;
    expect(c).toMatchObject({
      recommendationType: 'PREDICTIVE_WARMING',
      targetKey: 'warm-schedule',
      priority: 'HIGH',
      currentConfiguration: { warmSchedule: null },
      recommendedConfiguration: { warmSchedule: '30 13 * * *' },
      estimatedImprovement: 50,
      improvementMetric: 'peak_hit_rate_pct',
    });
    expect(c.description).toContain('Holt-Winters, daily and weekly seasonality, 14 days of history');
    expect(c.description).toContain('rising at 14:00 UTC on 2026-03-10');
    expect(c.description).toContain('no warm measured yet');
  });

  it('follows the forecast, not yesterday: a predicted 09:00 rise and a measured 25-min warm give a warm at 08:10', () => {
    const c = predictiveWarmingRule(
      snapshot({
        forecast: {
          ...forecast,
          day: { ...forecast.day, peakHourStart: 9, peakHourEnd: 10 },
          leadSeconds: 3000,
          measuredWarmSeconds: 1500,
        },
      }),
    )!;
    expect(c.recommendedConfiguration).toEqual({ warmSchedule: '10 8 * * *' });
    expect(c.description).toContain('the last warms took up to 1500 s');
    // The hit rate at stake is the observed day's in the predicted window.
    const hourly = {
      hourlyRequests: Array.from({ length: 24 }, (_, h) => (h === 9 || h === 10 ? 100 : 10)),
      hourlyHits: Array.from({ length: 24 }, (_, h) => (h === 9 || h === 10 ? 80 : 10)),
    };
    const withHours = predictiveWarmingRule(
      snapshot({
        latestPattern: { ...peaked, ...hourly },
        forecast: { ...forecast, day: { ...forecast.day, peakHourStart: 9, peakHourEnd: 10 } },
      }),
    )!;
    expect(withHours.estimatedImprovement).toBe(20);
  });

  it('stays quiet when a schedule already warms before the rise, no day ahead peaks, there is no recent usage, or the datasource is disabled', () => {
    expect(predictiveWarmingRule(snapshot({ warmSchedule: '0 13 * * *' }))).toBeNull();
    expect(predictiveWarmingRule(snapshot({ forecast: null }))).toBeNull();
    expect(predictiveWarmingRule(snapshot({ latestPattern: null }))).toBeNull();
    expect(predictiveWarmingRule(snapshot({ enabled: false }))).toBeNull();
  });

  it('replaces a schedule that misses the rise, and says so', () => {
    const c = predictiveWarmingRule(snapshot({ warmSchedule: '0 3 * * *' }))!;
    expect(c.currentConfiguration).toEqual({ warmSchedule: '0 3 * * *' });
    expect(c.description).toContain('replaces');
  });
});

describe('WARMING_SCHEDULE', () => {
  const lowSteady: PatternSnapshot = { ...peaked, accessPattern: 'STEADY', averageHitRate: 40 };

  it('schedules a warm every staleness-TTL period when the hit rate is low and nothing refreshes the cache', () => {
    const c = warmingScheduleRule(snapshot({ latestPattern: lowSteady }), null)!;
    expect(c).toMatchObject({
      recommendationType: 'WARMING_SCHEDULE',
      targetKey: 'warm-schedule',
      priority: 'HIGH',
      recommendedConfiguration: { warmSchedule: '0 */4 * * *' },
    });
  });

  it('also fires with a schedule when the cache is stale anyway', () => {
    expect(
      warmingScheduleRule(
        snapshot({ latestPattern: lowSteady, warmSchedule: '0 0 * * 0', lastWarmed: '2026-03-01T00:00:00Z' }),
        null,
      ),
    ).not.toBeNull();
    expect(warmingScheduleRule(snapshot({ latestPattern: lowSteady, warmSchedule: '0 0 * * 0' }), null)).toBeNull(); // fresh
  });

  it('is left to PREDICTIVE_WARMING, and needs a low hit rate over enough requests', () => {
    const s = snapshot({ latestPattern: { ...peaked, averageHitRate: 40 } });
    expect(warmingScheduleRule(s, predictiveWarmingRule(s))).toBeNull();
    expect(warmingScheduleRule(snapshot({ latestPattern: lowSteady, predictiveWarmingOpen: true }), null)).toBeNull();
    expect(warmingScheduleRule(snapshot({ latestPattern: { ...lowSteady, averageHitRate: 85 } }), null)).toBeNull();
    expect(warmingScheduleRule(snapshot({ latestPattern: { ...lowSteady, dailyRequests: 5 } }), null)).toBeNull();
  });
});

describe('ADJUST_TTL', () => {
  it('lowers a TTL more than twice the optimum', () => {
    const c = adjustTtlRule(snapshot({ stalenessTtlSeconds: 86_400 }))!;
    expect(c).toMatchObject({
      targetKey: 'staleness-ttl',
      currentConfiguration: { stalenessTtlSeconds: 86_400 },
      recommendedConfiguration: { stalenessTtlSeconds: 16_200 },
      estimatedImprovement: 86_400 - 16_200,
      improvementMetric: 'staleness_seconds_reduced',
    });
  });

  it('raises a TTL less than half the optimum', () => {
    const c = adjustTtlRule(snapshot({ stalenessTtlSeconds: 3600 }))!;
    expect(c.recommendedConfiguration).toEqual({ stalenessTtlSeconds: 16_200 });
    expect(c.improvementMetric).toBe('warms_per_day_saved');
    expect(c.estimatedImprovement).toBeCloseTo(24 - 86_400 / 16_200, 2);
  });

  it('keeps a TTL within a factor of two, and ignores IDLE days', () => {
    expect(adjustTtlRule(snapshot({ stalenessTtlSeconds: 14_400 }))).toBeNull();
    expect(adjustTtlRule(snapshot({ stalenessTtlSeconds: 32_400 }))).toBeNull();
    expect(
      adjustTtlRule(snapshot({ latestPattern: { ...peaked, accessPattern: 'IDLE', optimalTtlSeconds: 300 } })),
    ).toBeNull();
  });
});

describe('ADD_SOURCE_INDEX', () => {
  const slow = { executions: 12, avgTimeMs: 2500 };

  it('recommends a composite index on the filter columns after slow unindexed queries', () => {
    const c = addSourceIndexRule(snapshot({ slowUnindexed: slow, sourceIndexes: [['practice_id', 'measure']] }))!;
    expect(c).toMatchObject({
      recommendationType: 'ADD_SOURCE_INDEX',
      targetKey: 'index:demo.revenue(measure,frequency)',
      priority: 'HIGH',
      currentConfiguration: { indexName: null },
      recommendedConfiguration: {
        tableName: 'demo.revenue',
        indexName: 'ix_ccc_revenue_measure_frequency',
        indexType: 'COMPOSITE',
        columns: ['measure', 'frequency'],
        usagePattern: 'ANALYTICS',
        maintenanceWindow: 'OFF_PEAK',
      },
      estimatedImprovement: 2500,
      improvementMetric: 'query_time_ms',
    });
  });

  it('stays quiet without enough slow unindexed queries, or when an index leads with those columns', () => {
    expect(addSourceIndexRule(snapshot())).toBeNull();
    expect(
      addSourceIndexRule(snapshot({ slowUnindexed: { executions: MIN_SLOW_UNINDEXED - 1, avgTimeMs: 9000 } })),
    ).toBeNull();
    expect(
      addSourceIndexRule(snapshot({ slowUnindexed: { executions: MIN_SLOW_UNINDEXED, avgTimeMs: 9000 } }))?.priority,
    ).toBe('MEDIUM');
    expect(MIN_SLOW_UNINDEXED).toBeGreaterThan(1);
    expect(
      addSourceIndexRule(snapshot({ slowUnindexed: slow, sourceIndexes: [['frequency', 'measure', 'period']] })),
    ).toBeNull();
    expect(covers(['measure', 'practice_id', 'frequency'], ['measure', 'frequency'])).toBe(false);
  });
});

describe('DROP_UNUSED_INDEX', () => {
  it('recommends dropping each flagged index, with the MB it frees', () => {
    const [c] = dropUnusedIndexRules(
      snapshot({
        dropCandidates: [
          {
            indexStrategyId: 'abc',
            indexName: 'ix_old',
            tableName: 'demo.revenue',
            indexSizeBytes: 200 * 1024 * 1024,
            totalScans: 0,
          },
        ],
      }),
    );
    expect(c).toMatchObject({
      targetKey: 'drop-index:demo.revenue.ix_old',
      priority: 'MEDIUM',
      currentConfiguration: { index: 'ix_old' },
      recommendedConfiguration: { drop: 'ix_old', indexStrategyId: 'abc' },
      estimatedImprovement: 200,
      improvementMetric: 'mb_freed',
    });
  });

  it('tells large indexes apart (2 decimals of MB)', () => {
    const sizes = [40 * 1024 ** 3, 40 * 1024 ** 3 + 5 * 1024 * 1024, 1536 * 1024];
    const candidates = dropUnusedIndexRules(
      snapshot({
        dropCandidates: sizes.map((bytes, i) => ({
          indexStrategyId: `s${i}`,
          indexName: `ix_${i}`,
          tableName: 'demo.revenue',
          indexSizeBytes: bytes,
          totalScans: 0,
        })),
      }),
    );
    expect(candidates.map((c) => c.estimatedImprovement)).toEqual([40_960, 40_965, 1.5]);
  });
});

describe('INCREASE_MEMORY', () => {
  const MB = 1024 * 1024;

  it('advises more memory near the limit or after evictions', () => {
    expect(increaseMemoryRule({ usedBytes: 90 * MB, maxBytes: 100 * MB, evictedKeys: 0 })).toMatchObject({
      targetKey: 'redis-memory',
      priority: 'MEDIUM',
      recommendedConfiguration: { maxmemoryBytes: 150 * MB },
    });
    expect(increaseMemoryRule({ usedBytes: 10 * MB, maxBytes: 100 * MB, evictedKeys: 3 })?.priority).toBe('HIGH');
  });

  it('stays quiet with headroom and no evictions, or without a limit', () => {
    expect(increaseMemoryRule({ usedBytes: 50 * MB, maxBytes: 100 * MB, evictedKeys: 0 })).toBeNull();
    expect(increaseMemoryRule({ usedBytes: 50 * MB, maxBytes: 0, evictedKeys: 0 })).toBeNull();
  });
});

describe('all datasource rules together', () => {
  it('give one candidate per target for a PEAKED day with a far-off TTL', () => {
    const types = datasourceCandidates(
      snapshot({ stalenessTtlSeconds: 86_400, latestPattern: { ...peaked, averageHitRate: 30 } }),
    ).map((c) => c.recommendationType);
    expect(types).toEqual(['PREDICTIVE_WARMING', 'ADJUST_TTL']);
  });
});

describe('efficiency', () => {
  it('computes memory per hit, warming cost and queries per warming second', () => {
    expect(
      efficiencyFigures({ requests: 1000, hits: 950, memoryBytes: 190_000, warmDurationsSeconds: [2, 3] }),
    ).toEqual({
      memoryBytes: 190_000,
      cacheHits: 950,
      memoryPerHitBytes: 200,
      warmsInPeriod: 2,
      avgWarmSeconds: 2.5,
      warmingCostSeconds: 5,
      queriesServed: 1000,
      queriesPerWarmingSecond: 200,
      verdict: 'EFFICIENT',
    });
  });

  it('gives the documented verdicts', () => {
    expect(verdictOf({ queriesServed: 0, cacheHits: 0, queriesPerWarmingSecond: 5 })).toBe('UNUSED');
    expect(verdictOf({ queriesServed: 100, cacheHits: 40, queriesPerWarmingSecond: null })).toBe('WASTEFUL');
    expect(verdictOf({ queriesServed: 100, cacheHits: 99, queriesPerWarmingSecond: 0.5 })).toBe('WASTEFUL');
    expect(verdictOf({ queriesServed: 100, cacheHits: 99, queriesPerWarmingSecond: null })).toBe('EFFICIENT');
    expect(verdictOf({ queriesServed: 100, cacheHits: 80, queriesPerWarmingSecond: 500 })).toBe('OK');
    expect(verdictOf({ queriesServed: 100, cacheHits: 95, queriesPerWarmingSecond: 10 })).toBe('OK');
  });

  it('has no per-hit or per-second figure without hits or warms', () => {
    expect(efficiencyFigures({ requests: 0, hits: 0, memoryBytes: 500, warmDurationsSeconds: [] })).toMatchObject({
      memoryPerHitBytes: null,
      avgWarmSeconds: null,
      queriesPerWarmingSecond: null,
      verdict: 'UNUSED',
    });
  });
});
