import {
  addDays,
  analyseDay,
  classify,
  hoursOfDay,
  isForeignKeyViolation,
  MAX_TTL_SECONDS,
  MIN_TTL_SECONDS,
  optimalTtl,
  parseDay,
  peakWindow,
} from './usage-analysis.js';

const flat = (value: number): number[] => Array.from({ length: 24 }, () => value);
const withHours = (base: number, hours: Record<number, number>): number[] =>
  flat(base).map((v, hour) => hours[hour] ?? v);

describe('usage analysis', () => {
  it('finds a 14–16 peak, its hit rate and the day totals (acceptance 2 traffic)', () => {
    const requests = withHours(20, { 14: 600, 15: 600, 16: 600 });
    const hits = withHours(19, { 14: 300, 15: 300, 16: 300 });
    const day = analyseDay(requests, hits, 14_400);
    expect(day).toMatchObject({
      accessPattern: 'PEAKED',
      peakHourStart: 14,
      peakHourEnd: 16,
      dailyRequests: 21 * 20 + 1800,
      dailyCacheHits: 21 * 19 + 900,
      peakHitRate: 50,
      averageHitRate: Math.round(((21 * 19 + 900) / 2220) * 10_000) / 100,
    });
    // One warm 30 min before the peak covers 3 peak hours plus a 1-hour margin.
    expect(day.optimalTtlSeconds).toBe(1800 + 3 * 3600 + 3600);
  });

  it('widens the window over neighbours with at least half the busiest hour, and no further', () => {
    expect(peakWindow(withHours(10, { 8: 100, 9: 60, 10: 49, 7: 50 }))).toEqual({ start: 7, end: 9 });
    // Ties: the earliest busiest hour; the window stays inside the day.
    expect(peakWindow(withHours(0, { 0: 100, 1: 80, 23: 100 }))).toEqual({ start: 0, end: 1 });
  });

  it('calls a day without requests IDLE and keeps the current TTL', () => {
    const day = analyseDay(flat(0), flat(0), 7200);
    expect(day).toMatchObject({
      accessPattern: 'IDLE',
      dailyRequests: 0,
      averageHitRate: 0,
      peakHitRate: 0,
      optimalTtlSeconds: 7200,
    });
  });

  it('calls even traffic STEADY, two separate spikes or sparse traffic BURSTY', () => {
    const even = flat(100).map((v, hour) => v + (hour % 3) * 10);
    expect(classify(even, peakWindow(even))).toBe('STEADY');
    const twoSpikes = withHours(5, { 3: 500, 15: 500 });
    expect(classify(twoSpikes, peakWindow(twoSpikes))).toBe('BURSTY');
    const sparse = withHours(0, { 9: 3, 17: 2 });
    expect(classify(sparse, peakWindow(sparse))).toBe('BURSTY');
  });

  it('does not call a wide bump PEAKED (window longer than 8 hours or not concentrated)', () => {
    const wide = flat(10).map((v, hour) => (hour >= 6 && hour <= 17 ? 100 : v));
    expect(classify(wide, peakWindow(wide))).not.toBe('PEAKED');
    const mild = withHours(60, { 12: 100 });
    expect(classify(mild, peakWindow(mild))).toBe('STEADY');
  });

  it('clamps the optimal TTL to [5 min, 7 days]', () => {
    expect(optimalTtl('STEADY', { start: 0, end: 0 }, 60)).toBe(MIN_TTL_SECONDS);
    expect(optimalTtl('BURSTY', { start: 0, end: 0 }, 30 * 86_400)).toBe(MAX_TTL_SECONDS);
    expect(optimalTtl('PEAKED', { start: 9, end: 9 }, 60)).toBe(1800 + 3600 + 3600);
  });

  it('never counts more hits than requests and rejects a day that is not 24 hours', () => {
    const day = analyseDay(withHours(0, { 5: 10 }), withHours(0, { 5: 50 }), 3600);
    expect(day.dailyCacheHits).toBe(10);
    expect(day.averageHitRate).toBe(100);
    expect(() => analyseDay([1, 2], [1, 2], 3600)).toThrow('24 hours');
  });

  it('parses calendar days strictly and builds the 24 counter hours of a day', () => {
    expect(parseDay('2026-02-29')).toBeNull();
    expect(parseDay('2026-1-01')).toBeNull();
    expect(parseDay('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    const hours = hoursOfDay('2026-03-05');
    expect(hours).toHaveLength(24);
    expect([hours[0], hours[23]]).toEqual(['2026030500', '2026030523']);
  });
});

describe('isForeignKeyViolation', () => {
  it('recognises PostgreSQL 23503 on a TypeORM QueryFailedError or the driver error', () => {
    expect(isForeignKeyViolation({ driverError: { code: '23503' } })).toBe(true);
    expect(isForeignKeyViolation({ code: '23503' })).toBe(true);
    expect(isForeignKeyViolation({ driverError: { code: '23505' } })).toBe(false);
    expect(isForeignKeyViolation(new Error('boom'))).toBe(false);
  });
});
