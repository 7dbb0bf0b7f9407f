type Env = Record<string, string | undefined>;

/** The region REDIS_URL serves: always there, the one the warming lock and the queue live in. */
export const PRIMARY_REGION = 'primary';
const REGION_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** A bound on fan-out: every region costs a write of every batch. */
const MAX_REGIONS = 8;

export interface RegionsConfig {
  /** Every region, the primary first. */
  names: string[];
  /** The Redis targets beyond the primary (single servers; Redis Cluster regions are not supported yet). */
  extra: Array<{ name: string; url: string }>;
  /** The region this process's query API reads (SERVICE_REGION). */
  serviceRegion: string;
  /** Regions read, in order, when the service region has no live generation or cannot be reached. */
  fallback: string[];
}

/**
 * REDIS_REGIONS (`name=redis://…,name=redis://…`), SERVICE_REGION and SERVICE_REGION_FALLBACK, with every problem
 * collected like the rest of loadConfig's.
 */
export function loadRegionsConfig(env: Env, problems: string[]): RegionsConfig {
  const extra: RegionsConfig['extra'] = [];
  const raw = env.REDIS_REGIONS?.trim() ?? '';
  for (const part of raw ? raw.split(',') : []) {
    const at = part.indexOf('=');
    const name = part.slice(0, at).trim();
    const url = part.slice(at + 1).trim();
    if (at < 1 || !REGION_NAME.test(name)) {
      problems.push(`REDIS_REGIONS must be name=redis://host:port[,…] with lower-case names (bad entry "${part}")`);
      continue;
    }
    if (name === PRIMARY_REGION || extra.some((region) => region.name === name)) {
      problems.push(`REDIS_REGIONS names each region once and never "${PRIMARY_REGION}" (REDIS_URL) (got "${name}")`);
      continue;
    }
    try {
      if (!['redis:', 'rediss:'].includes(new URL(url).protocol))
        problems.push(`REDIS_REGIONS: region "${name}" must use redis: or rediss:`);
    } catch {
      problems.push(`REDIS_REGIONS: region "${name}" has no valid URL`);
    }
    extra.push({ name, url });
  }
  if (extra.length + 1 > MAX_REGIONS) problems.push(`REDIS_REGIONS allows at most ${MAX_REGIONS - 1} regions`);
  const names = [PRIMARY_REGION, ...extra.map((region) => region.name)];
  const known = (variable: string, name: string): boolean => {
    if (names.includes(name)) return true;
    problems.push(`${variable} must name a configured region (${names.join(', ')}) (got "${name}")`);
    return false;
  };
  const serviceRegion = env.SERVICE_REGION?.trim() || PRIMARY_REGION;
  known('SERVICE_REGION', serviceRegion);
  const fallbackRaw = env.SERVICE_REGION_FALLBACK?.trim() ?? '';
  const fallback = (fallbackRaw ? fallbackRaw.split(',') : [])
    .map((name) => name.trim())
    .filter((name) => known('SERVICE_REGION_FALLBACK', name) && name !== serviceRegion);
  return { names, extra, serviceRegion, fallback: [...new Set(fallback)] };
}
