import { slowLimitMs } from './query-performance.recorder.js';

describe('the slow-query limit', () => {
  it('is the threshold for answers on a cold cache, whatever their size', () => {
    expect(slowLimitMs('cold-fallback', 1_000, 1)).toBe(1_000);
    expect(slowLimitMs('cold-fallback', 1_000, 500_000)).toBe(1_000);
  });

  it('grows with the rows of a warming read (a full read by design): slow only when genuinely slow per row', () => {
    expect(slowLimitMs('warming', 1_000, 720)).toBe(1_000);
    expect(slowLimitMs('warming', 1_000, 10_000)).toBe(1_000);
    // 135,168 rows (Revenue Analytics at the test scale) may take 13.5 s at the default threshold: 10,000 rows/s.
    expect(slowLimitMs('warming', 1_000, 135_168)).toBeCloseTo(13_516.8);
    expect(slowLimitMs('warming', 0.001, 720)).toBe(0.001);
  });
});
