/** Buckets of idle keys are forgotten once this many keys are tracked (an idle bucket is full: forgetting it changes nothing). */
const SWEEP_ABOVE = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per key, in process memory: `ratePerSecond` tokens a second, at most `ratePerSecond` saved up (one
 * second of burst). No Redis round trip, so it suits a route served thousands of times a second; each process
 * keeps its own, so N replicas allow up to N times the rate.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one token for `key`: 0 when granted, else the seconds until one is available. */
  take(key: string): number {
    const now = this.now();
    const capacity = this.ratePerSecond;
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond)
      : capacity;
    const granted = tokens >= 1;
    // Updated in place: a busy key costs no allocation per request.
    if (bucket) {
      bucket.tokens = granted ? tokens - 1 : tokens;
      bucket.at = now;
    } else {
      if (this.buckets.size >= SWEEP_ABOVE) this.sweep(now);
      this.buckets.set(key, { tokens: granted ? tokens - 1 : tokens, at: now });
    }
    return granted ? 0 : (1 - tokens) / this.ratePerSecond;
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond >= this.ratePerSecond)
        this.buckets.delete(key);
    }
  }
}
