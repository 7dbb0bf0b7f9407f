import type { HitRate } from '@ccc/shared-types';
import { minuteOf } from '../redis/redis-keys.js';

/**
 * The one definition of a hit rate (docs/api.md, "Hit rate"): query-API requests answered from the cache per 100
 * requests, over the last HIT_RATE_WINDOW_MINUTES whole UTC minutes including the current one. The cache cards,
 * datasource details, summary, efficiency report and HIT_RATE_LOW alerts all read it through `hitRateOf`, so the
 * same datasource shows the same figure everywhere; without a request in the window there is no rate (null).
 */
export const HIT_RATE_WINDOW_MINUTES = 15;
export const HIT_RATE_WINDOW_LABEL = `last ${HIT_RATE_WINDOW_MINUTES} min`;
/** Minute counters outlive the window a little, for clocks that differ between replicas. */
export const MINUTE_USAGE_TTL_SECONDS = (HIT_RATE_WINDOW_MINUTES + 5) * 60;

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** The UTC minutes (`YYYYMMDDHHmm`) of the window that ends at `now`, oldest first. */
export function hitRateWindowMinutes(now: Date): string[] {
  const current = Math.floor(now.getTime() / 60_000) * 60_000;
  return Array.from({ length: HIT_RATE_WINDOW_MINUTES }, (_, i) =>
    minuteOf(new Date(current - (HIT_RATE_WINDOW_MINUTES - 1 - i) * 60_000)),
  );
}

/** Every minute whose counter may still exist at `now` (and a few ahead, for clocks that differ): for purging. */
export function minutesStillKept(now: number): string[] {
  return Array.from({ length: MINUTE_USAGE_TTL_SECONDS / 60 + 6 }, (_, i) =>
    minuteOf(new Date(now + 5 * 60_000 - i * 60_000)),
  );
}

export interface WindowUsage {
  requests: number;
  hits: number;
  latencyMicros: number;
}

export function hitRateOf(usage: Pick<WindowUsage, 'requests' | 'hits'>): HitRate {
  return {
    percent: usage.requests === 0 ? null : round2((usage.hits / usage.requests) * 100),
    hits: usage.hits,
    requests: usage.requests,
    windowMinutes: HIT_RATE_WINDOW_MINUTES,
    window: HIT_RATE_WINDOW_LABEL,
  };
}

/** Several datasources' windows as one (the summary): hits over requests, never an average of percentages. */
export function sumUsage(usages: WindowUsage[]): WindowUsage {
  return usages.reduce(
    (sum, u) => ({
      requests: sum.requests + u.requests,
      hits: sum.hits + u.hits,
      latencyMicros: sum.latencyMicros + u.latencyMicros,
    }),
    { requests: 0, hits: 0, latencyMicros: 0 },
  );
}
