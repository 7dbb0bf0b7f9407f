import { TokenBuckets } from './token-buckets.js';

describe('TokenBuckets', () => {
  it('grants one second of burst per key, then one token per 1/rate seconds, and says how long to wait', () => {
    let now = 0;
    const buckets = new TokenBuckets(4, () => now);
    expect([1, 2, 3, 4].map(() => buckets.take('key:a'))).toEqual([0, 0, 0, 0]);
    expect(buckets.take('key:a')).toBeCloseTo(0.25);
    // Another key has its own budget.
    expect(buckets.take('key:b')).toBe(0);
    now += 250;
    expect(buckets.take('key:a')).toBe(0);
    expect(buckets.take('key:a')).toBeGreaterThan(0);
    // Idle time refills up to the burst, not beyond.
    now += 60_000;
    expect([1, 2, 3, 4].map(() => buckets.take('key:a'))).toEqual([0, 0, 0, 0]);
    expect(buckets.take('key:a')).toBeGreaterThan(0);
  });

  it('forgets idle keys once many are tracked, so a stream of principals cannot grow it without bound', () => {
    let now = 0;
    const buckets = new TokenBuckets(1, () => now);
    for (let i = 0; i < 10_000; i++) buckets.take(`key:${i}`);
    now += 2_000;
    buckets.take('key:new');
    expect(buckets.size).toBe(1);
  });
});
