/**
 * The one place that formats Redis key names. Keys of one datasource carry the hash tag `{ds:<id>}`
 * so that they share a Redis Cluster slot; service-wide keys live under the `ccc:` namespace.
 */
export const SERVICE_PREFIX = 'ccc';
/** BullMQ prefix: the hash tag keeps every key of a queue in one Redis Cluster slot. */
export const QUEUE_PREFIX = '{ccc}';

/** The dimensions of one cache entry. */
export interface EntryCoordinates {
  measure: string;
  practice: string;
  provider: string;
  frequency: string;
}

// ':' separates key parts, so it (and '%', the escape itself) is escaped inside values. Most values hold neither:
// the query path builds a few names per request, so those are returned as they are, without two regex passes.
const part = (value: string): string =>
  value.includes('%') || value.includes(':') ? value.replace(/%/g, '%25').replace(/:/g, '%3A') : value;
const unpart = (value: string): string => value.replace(/%3A/g, ':').replace(/%25/g, '%');

const dsTag = (datasourceId: number): string => `{ds:${datasourceId}}`;

/** The UTC hour (`YYYYMMDDHH`) of an hourly usage counter. */
export const hourOf = (date: Date): string => date.toISOString().slice(0, 13).replace(/[-T]/g, '');

/** The UTC minute (`YYYYMMDDHHmm`) of a per-minute usage counter (the hit-rate window's buckets). */
export const minuteOf = (date: Date): string => date.toISOString().slice(0, 16).replace(/[-T:]/g, '');

/** The cache layout these keys follow (docs/architecture.md, Redis data model). */
export const CACHE_LAYOUT = 2;

/**
 * Analytics Cache V2 (DESIGN.md §3), layout 2. An entry is `cache:{ds:N}:g<G>:<id>`: ids are numbers given in warming
 * order, and the index sets hold ids — Redis keeps a set of at most 512 integers as an intset (2–4 bytes a member)
 * instead of a hash table of strings. The value carries the entry's coordinates (entry-codec.ts).
 */
export const CacheKeys = {
  meta: (datasourceId: number): string => `cache:meta:${dsTag(datasourceId)}`,
  /**
   * The meta hash's field holding the live generation. Its name carries the layout: a process of another layout finds
   * no live generation (a cold cache, answered from the database) instead of misreading keys it does not know.
   */
  liveField: `gen:v${CACHE_LAYOUT}`,
  /** Layout 1's live pointer: what a previous version made live (read only to retire it, see sweepLeakedGenerations). */
  legacyLiveField: 'gen',
  /** Prefix of every entry key of one generation; entry key = prefix + id. */
  entryPrefix: (datasourceId: number, generation: number): string => `cache:${dsTag(datasourceId)}:g${generation}:`,
  entryKey: (datasourceId: number, generation: number, id: number): string =>
    `cache:${dsTag(datasourceId)}:g${generation}:${id}`,
  /** The entry prefix without its generation, for the Lua scripts that read the generation themselves. */
  entryPrefixBase: (datasourceId: number): string => `cache:${dsTag(datasourceId)}:g`,
  indexPrefixBase: (datasourceId: number): string => `idx:${dsTag(datasourceId)}:g`,
  /** Prefix of every index key of one generation; the Lua query script appends the same suffixes as below. */
  indexPrefix: (datasourceId: number, generation: number): string => `idx:${dsTag(datasourceId)}:g${generation}:`,
  indexSuffixes: {
    measureFrequency: (measure: string, frequency: string): string => `m:${part(measure)}:freq:${part(frequency)}`,
    practice: (practice: string): string => `p:${part(practice)}`,
    provider: (provider: string): string => `prov:${part(provider)}`,
    /** HASH: first id of each written batch → its number of entries. Exists exactly while the generation has entries. */
    ranges: (): string => 'ranges',
    /** SET: the suffix of every index set written, so a deletion finds them without reading an entry. */
    registry: (): string => 'sets',
    /** HASH: `m:<measure>` and `freq:<frequency>` → JSON list of the measure-frequency sets a filter on it unites. */
    directory: (): string => 'dir',
    /**
     * HASH, written only for datasources with change detection: groupField(coordinates) → `<id>:<rows>`, the id of the
     * group's entry and its number of rows — what an incremental refresh compares with the source and carries over.
     */
    groups: (): string => 'groups',
  },
  /** The field of a group (entry coordinates) in the `groups` hash: the coordinates as a JSON array. */
  groupField: (c: EntryCoordinates): string => JSON.stringify([c.measure, c.practice, c.provider, c.frequency]),
  parseGroupField: (field: string): EntryCoordinates => {
    const [measure, practice, provider, frequency] = JSON.parse(field) as string[];
    return { measure, practice, provider, frequency };
  },
  /** What an index-set suffix (indexSuffixes) filters on, or null for the ranges, registry, directory and groups. */
  parseIndexSuffix: (
    suffix: string,
  ): { measure: string; frequency: string } | { practice: string } | { provider: string } | null => {
    let match = /^m:([^:]*):freq:([^:]*)$/.exec(suffix);
    if (match) return { measure: unpart(match[1]), frequency: unpart(match[2]) };
    match = /^p:([^:]*)$/.exec(suffix);
    if (match) return { practice: unpart(match[1]) };
    match = /^prov:([^:]*)$/.exec(suffix);
    return match ? { provider: unpart(match[1]) } : null;
  },
  /** Fields of the directory hash. */
  directoryFields: {
    measure: (measure: string): string => `m:${part(measure)}`,
    frequency: (frequency: string): string => `freq:${part(frequency)}`,
  },
  /** Every index set an entry belongs to. */
  indexSuffixesOf: (c: EntryCoordinates): string[] => [
    `m:${part(c.measure)}:freq:${part(c.frequency)}`,
    `p:${part(c.practice)}`,
    `prov:${part(c.provider)}`,
  ],
  /**
   * Layout 1 (before issue 14), only to delete what a previous version wrote: entries named by their coordinates,
   * index sets of those names plus a master set of every entry.
   */
  legacy: {
    master: (): string => 'master',
    entrySuffix: (c: EntryCoordinates): string =>
      `m:${part(c.measure)}:p:${part(c.practice)}:prov:${part(c.provider)}:freq:${part(c.frequency)}`,
    parseEntrySuffix: (suffix: string): EntryCoordinates | null => {
      const match = /^m:([^:]*):p:([^:]*):prov:([^:]*):freq:([^:]*)$/.exec(suffix);
      return match
        ? {
            measure: unpart(match[1]),
            practice: unpart(match[2]),
            provider: unpart(match[3]),
            frequency: unpart(match[4]),
          }
        : null;
    },
    indexSuffixesOf: (c: EntryCoordinates): string[] => [
      'master',
      `m:${part(c.measure)}`,
      `m:${part(c.measure)}:freq:${part(c.frequency)}`,
      `p:${part(c.practice)}`,
      `prov:${part(c.provider)}`,
    ],
  },
  warmLock: (datasourceId: number): string => `lock:warm:${dsTag(datasourceId)}`,
  /** Query counters of one datasource since its last swap (hits, misses, latency). */
  queryStats: (datasourceId: number): string => `cache:stats:${dsTag(datasourceId)}`,
  /** Hourly request/hit counters (UTC hour `YYYYMMDDHH`), kept for usage-pattern analysis. */
  hourlyUsage: (datasourceId: number, hour: string): string => `cache:usage:${dsTag(datasourceId)}:${hour}`,
  /** Per-minute request/hit counters (UTC minute `YYYYMMDDHHmm`), kept briefly: the hit-rate window (hit-rate.ts). */
  minuteUsage: (datasourceId: number, minute: string): string => `cache:usage:${dsTag(datasourceId)}:${minute}`,
} as const;

export const RedisKeys = {
  /** Fixed-window rate-limit counter of one tracker (user, API key or IP) for one named limit. */
  throttleHits: (limitName: string, tracker: string): string =>
    `${SERVICE_PREFIX}:throttle:{${tracker}}:${limitName}:hits`,
  throttleBlock: (limitName: string, tracker: string): string =>
    `${SERVICE_PREFIX}:throttle:{${tracker}}:${limitName}:block`,
  /**
   * Sign-in attempts of one account or client (reserved before the password is checked), and its current back-off;
   * under the rate-limit namespace (never purged). One hash tag for all of them: the account's and the client's
   * counters are checked and counted by one script, which a Redis Cluster allows only within one slot.
   */
  loginFailures: (tracker: string): string => `${SERVICE_PREFIX}:throttle:{login-backoff}:${tracker}:failures`,
  loginBlock: (tracker: string): string => `${SERVICE_PREFIX}:throttle:{login-backoff}:${tracker}:block`,
  /** Lease that lets one replica run a periodic task. */
  lease: (task: string): string => `${SERVICE_PREFIX}:lease:${task}`,
  /** Set once the demo's week of made-up query traffic has been written (so a restart does not add it again). */
  demoTrafficHistory: (): string => `${SERVICE_PREFIX}:demo:traffic-history`,
  /** Claim of one scheduled round (wall-clock period number) of a periodic task, so N replicas run it once. */
  leaseRound: (task: string, round: number): string => `${SERVICE_PREFIX}:lease:${task}:round:${round}`,
  /** Pause/resume/cancel requests to a running warming job, read by the worker between batches. */
  warmControl: (jobId: string): string => `${SERVICE_PREFIX}:warm-control:{${jobId}}`,
  /** Progress of one Redis-admin purge run, readable by every replica while it runs. */
  purgeProgress: (purgeId: string): string => `${SERVICE_PREFIX}:redis-admin:purge:${purgeId}`,
  /** Audit rows PostgreSQL could not take yet, oldest at the tail; drained into audit_log by AuditService. */
  auditOutbox: (): string => `${SERVICE_PREFIX}:audit:outbox`,
  /**
   * HASH: a CDC datasource's slot bookkeeping (change-capture/): `slot` once we created its slot (a slot missing after
   * that was dropped behind our back), and the last incident (`kind`, `at`, `lagBytes`) for its alert.
   */
  changeCaptureState: (datasourceId: number): string => `${SERVICE_PREFIX}:cdc:${datasourceId}`,
  /** Previous value of a cumulative counter (evicted_keys, deadlocks) at the last alert evaluation. */
  alertCounter: (name: string): string => `${SERVICE_PREFIX}:alerts:previous:${name}`,
} as const;

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DS = String.raw`\{ds:\d+\}`;
const PART = '[^:]*';
const startsWith = (prefix: string): RegExp => new RegExp(`^${literal(prefix)}`);

/**
 * Every key namespace of the service, for the Redis admin tools (classification, protection). `shape` is the exact
 * form of the keys built above — only a key of that form is the service's own; anything else in the same Redis
 * (another application's `bull:*`, `lock:*`, `cache:*` …) is not. `pattern` is a Redis glob covering the shape, to
 * tell which namespaces a purge pattern could reach. `protected` namespaces hold state the service needs to run: a
 * purge or TTL change must not touch them unless the caller explicitly allows it.
 */
export const KeyNamespacePatterns = {
  analyticsMeta: { pattern: 'cache:meta:{ds:*}', shape: new RegExp(`^cache:meta:${DS}$`), protected: true },
  analyticsEntry: {
    pattern: 'cache:{ds:*}:g*',
    // Layout 2 (numeric ids) and layout 1 (coordinates), which an upgraded service still deletes.
    shape: new RegExp(`^cache:${DS}:g\\d+:(?:\\d+|m:${PART}:p:${PART}:prov:${PART}:freq:${PART})$`),
    protected: false,
  },
  analyticsIndex: {
    pattern: 'idx:{ds:*}:g*',
    shape: new RegExp(
      `^idx:${DS}:g\\d+:(?:ranges|sets|dir|groups|master|m:${PART}(?::freq:${PART})?|p:${PART}|prov:${PART})$`,
    ),
    protected: false,
  },
  analyticsStats: { pattern: 'cache:stats:{ds:*}', shape: new RegExp(`^cache:stats:${DS}$`), protected: false },
  analyticsUsage: {
    pattern: 'cache:usage:{ds:*}:*',
    shape: new RegExp(`^cache:usage:${DS}:\\d{10}(\\d{2})?$`),
    protected: false,
  },
  lock: { pattern: 'lock:warm:{ds:*}', shape: new RegExp(`^lock:warm:${DS}$`), protected: true },
  // BullMQ's keys of the service's queues: its own prefix (bull:* is BullMQ's default, i.e. some other application's).
  queue: { pattern: `${QUEUE_PREFIX}:*`, shape: startsWith(`${QUEUE_PREFIX}:`), protected: true },
  rateLimit: {
    pattern: `${SERVICE_PREFIX}:throttle:*`,
    shape: startsWith(`${SERVICE_PREFIX}:throttle:`),
    protected: true,
  },
  lease: { pattern: `${SERVICE_PREFIX}:lease:*`, shape: startsWith(`${SERVICE_PREFIX}:lease:`), protected: true },
  service: { pattern: `${SERVICE_PREFIX}:*`, shape: startsWith(`${SERVICE_PREFIX}:`), protected: true },
} as const;
