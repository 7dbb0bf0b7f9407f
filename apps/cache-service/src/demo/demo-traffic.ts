/**
 * Three weeks of made-up query-API traffic for the demo datasources, one profile each, so that a new
 * installation has usage patterns, a heat-map and recommendations to show before real traffic arrives.
 * Deterministic: the same hour of the same datasource always gets the same numbers.
 */
export interface DemoTrafficProfile {
  /** Requests in each UTC hour 0…23 of a typical day. */
  requestsByHour: number[];
  /** Share of requests answered from the cache, per hour. */
  hitRateByHour: number[];
  /** Traffic on Saturdays and Sundays (UTC) as a share of a weekday's: the weekly shape. */
  weekendShare: number;
}

const flat = (value: number): number[] => Array.from({ length: 24 }, () => value);
const withPeak = (base: number, peak: number, from: number, to: number): number[] =>
  Array.from({ length: 24 }, (_, hour) => (hour >= from && hour <= to ? peak : base));

/** By demo datasource name; datasources without a profile get no history. */
export const DEMO_TRAFFIC: Record<string, DemoTrafficProfile> = {
  // Month-end reporting every afternoon: a clear peak that finds the cache cold (warm-before-peak material).
  'Revenue Analytics': {
    requestsByHour: withPeak(40, 900, 13, 15),
    hitRateByHour: withPeak(0.95, 0.7, 13, 15),
    weekendShare: 0.4,
  },
  // Dashboards refreshing all day long.
  'Operational Metrics': { requestsByHour: flat(300), hitRateByHour: flat(0.97), weekendShare: 0.8 },
  // Heavy analyses a few times a day, by researchers who mostly work on weekdays.
  'Clinical Data': {
    requestsByHour: Array.from({ length: 24 }, (_, hour) => (hour % 7 === 3 ? 400 : 5)),
    hitRateByHour: flat(0.6),
    weekendShare: 0.3,
  },
  // Morning pharmacy reviews.
  'Pharmacy Utilization': {
    requestsByHour: withPeak(20, 500, 7, 9),
    hitRateByHour: withPeak(0.9, 0.85, 7, 9),
    weekendShare: 0.6,
  },
};

/** Requests and hits of one hour: the profile, lower at weekends, with a deterministic ±20 % wobble (noise). */
export function demoHour(
  profile: DemoTrafficProfile,
  datasourceId: number,
  hourStart: Date,
): { requests: number; hits: number; latencyMicros: number } {
  const hour = hourStart.getUTCHours();
  const wobble = 0.8 + 0.4 * pseudoRandom(datasourceId * 1_000_003 + Math.floor(hourStart.getTime() / 3_600_000));
  const weekend = hourStart.getUTCDay() === 0 || hourStart.getUTCDay() === 6;
  const requests = Math.round(profile.requestsByHour[hour] * (weekend ? profile.weekendShare : 1) * wobble);
  const hits = Math.round(requests * profile.hitRateByHour[hour]);
  // About 2 ms per hit and 40 ms per database fallback, as the query API measures them.
  const latencyMicros = hits * 2_000 + (requests - hits) * 40_000;
  return { requests, hits, latencyMicros };
}

/**
 * A uniform value in [0, 1) from an integer seed: an integer hash (murmur3's finaliser), so neighbouring hours —
 * and the same hour on neighbouring days — get unrelated noise.
 */
function pseudoRandom(seed: number): number {
  let h = (seed ^ (seed / 4_294_967_296)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4_294_967_296;
}
