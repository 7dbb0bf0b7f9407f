/** Redis admin tools: server statistics, key browser, inspector, purge, TTL, slow log, memory analysis. */

export const REDIS_KEY_TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const;
export type RedisKeyType = (typeof REDIS_KEY_TYPES)[number];

/** Where a key belongs (DESIGN §3); `protected` namespaces are refused by purge/TTL unless explicitly allowed. */
export const KEY_NAMESPACES = [
  'analytics-entry',
  'analytics-index',
  'analytics-meta',
  'analytics-stats',
  'lock',
  'queue',
  'rate-limit',
  'lease',
  'service',
  'other',
] as const;
export type KeyNamespace = (typeof KEY_NAMESPACES)[number];

export const PROTECTED_KEY_NAMESPACES: readonly KeyNamespace[] = [
  'analytics-meta',
  'lock',
  'queue',
  'rate-limit',
  'lease',
  'service',
];

// ---------------------------------------------------------------------------------------------
// Statistics

export interface RedisKeyspaceDb {
  db: number;
  keys: number;
  expires: number;
  avgTtlMs: number;
}

/** INFO figures of one node, or the sum over a cluster's masters (`node: 'total'`). */
export interface RedisNodeStats {
  node: string;
  role: string;
  version: string;
  uptimeSeconds: number;
  connectedClients: number;
  usedMemoryBytes: number;
  peakMemoryBytes: number;
  /** 0 when no limit is configured. */
  maxMemoryBytes: number;
  maxMemoryPolicy: string;
  fragmentationRatio: number | null;
  opsPerSecond: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  /** hits / (hits + misses), 0–1; null before any read. */
  hitRate: number | null;
  evictedKeys: number;
  expiredKeys: number;
  totalKeys: number;
  keyspace: RedisKeyspaceDb[];
}

export interface NamespaceShare {
  namespace: KeyNamespace;
  /** Keys of this namespace in the sample. */
  sampledKeys: number;
  /** sampledKeys / sampled, 0–1. */
  share: number;
  /** share × keys of the scanned database: an estimate, not a count. */
  estimatedKeys: number;
}

/** Key distribution by namespace, from a bounded SCAN sample of the selected database. */
export interface KeyDistribution {
  isSample: true;
  sampled: number;
  /** Keys in the database the sample was drawn from (exact, from INFO keyspace). */
  totalKeys: number;
  namespaces: NamespaceShare[];
}

export interface AnalyticsCacheDatasourcePointer {
  datasourceId: number;
  datasourceName: string;
  metaKey: string;
  /** Whether the live-generation pointer exists (a datasource without one is cold). */
  present: boolean;
  liveGeneration: number | null;
  /** The pointer's fields as stored (values capped). */
  fields: Record<string, string>;
}

/** The "Analytics Cache V2" part of Redis, kept apart from general Redis figures. */
export interface AnalyticsCacheRedisSection {
  datasources: AnalyticsCacheDatasourcePointer[];
  /** Estimates from the key sample. */
  estimatedEntries: number;
  estimatedIndexSets: number;
  /** Share of all keys that belong to the analytics cache (entries, index sets, pointers, counters), 0–1. */
  keyShare: number;
}

export interface RedisStatsResponse {
  mode: 'standalone' | 'cluster';
  /** Sum over every master (cluster), or the single server. */
  total: RedisNodeStats;
  /** One per master; a single element on a standalone Redis. */
  nodes: RedisNodeStats[];
  distribution: KeyDistribution;
  analyticsCache: AnalyticsCacheRedisSection;
  collectedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Key browser

export interface RedisKeysQuery {
  pattern?: string;
  type?: RedisKeyType;
  /** Opaque; `0` (or absent) starts a new scan. */
  cursor?: string;
  count?: number;
}

export interface RedisKeySummary {
  key: string;
  type: string;
  /** Seconds to live; -1 without expiry, -2 when the key vanished meanwhile. */
  ttlSeconds: number;
  namespace: KeyNamespace;
  protected: boolean;
}

export interface RedisKeysPage {
  keys: RedisKeySummary[];
  /** Pass back to continue; `0` when the scan is complete. */
  cursor: string;
  more: boolean;
  /** Keys Redis examined for this page (SCAN COUNT sum; an upper bound), capped per request. */
  examined: number;
  examineCap: number;
}

// ---------------------------------------------------------------------------------------------
// Inspector

export type RedisValuePreview =
  | { kind: 'string'; text: string; binary: boolean; truncated: boolean; bytesShown: number }
  | { kind: 'hash'; fields: Array<{ field: string; value: string }>; truncated: boolean }
  | { kind: 'set'; members: string[]; truncated: boolean }
  | { kind: 'zset'; members: Array<{ member: string; score: string }>; truncated: boolean }
  | { kind: 'list'; items: string[]; truncated: boolean }
  | { kind: 'stream'; entries: Array<{ id: string; fields: Record<string, string> }>; truncated: boolean }
  | { kind: 'unsupported'; message: string };

/** An analytics cache entry decoded from its JSON `[period, value]` pairs. */
export interface DecodedCacheEntry {
  kind: 'analytics-entry';
  rowCount: number;
  rows: Array<[string, number | string | null]>;
  truncated: boolean;
}

export interface RedisKeyInspection {
  key: string;
  type: string;
  namespace: KeyNamespace;
  protected: boolean;
  ttlSeconds: number;
  encoding: string | null;
  memoryBytes: number | null;
  /** Bytes of a string, fields of a hash, members of a set/zset, elements of a list, entries of a stream. */
  length: number;
  lengthUnit: 'bytes' | 'fields' | 'members' | 'elements' | 'entries';
  preview: RedisValuePreview;
  decoded: DecodedCacheEntry | null;
  limits: { maxBytes: number; maxElements: number; maxElementBytes: number };
}

// ---------------------------------------------------------------------------------------------
// Purge and TTL

export interface RedisPurgeRequest {
  pattern: string;
  type?: RedisKeyType;
  dryRun: boolean;
  /** Needed to purge a pattern that could match protected keys (queues, live pointers, locks, rate limits). */
  allowProtected?: boolean;
}

export type RedisPurgeStatus = 'preview' | 'running' | 'completed' | 'failed';

export interface RedisPurgeResult {
  /** Null for a dry run. */
  purgeId: string | null;
  dryRun: boolean;
  status: RedisPurgeStatus;
  pattern: string;
  type: RedisKeyType | null;
  /** Dry run: matching keys; real run: keys deleted so far. */
  matched: number;
  deleted: number;
  /** False when a dry run stopped at its time budget: `matched` is then a lower bound. */
  countComplete: boolean;
  /** Up to 20 matching (dry run) or deleted keys. */
  sample: string[];
  /** UNLINK batches issued so far, each at most `batchSize` keys. */
  batches: number;
  batchSize: number;
  /** Protected namespaces the pattern could reach (non-empty only when allowProtected was set). */
  protectedNamespaces: string[];
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface RedisTtlRequest {
  key: string;
  /** New time to live, at least 1 second. */
  ttlSeconds?: number;
  /** Remove the expiry instead. */
  persist?: boolean;
  allowProtected?: boolean;
}

export interface RedisTtlResponse {
  key: string;
  previousTtlSeconds: number;
  /** -1 when the key no longer expires. */
  ttlSeconds: number;
}

// ---------------------------------------------------------------------------------------------
// Slow log and memory analysis

export interface RedisSlowlogEntry {
  node: string;
  id: number;
  timestamp: string;
  durationMicros: number;
  /** Command and arguments, shortened. */
  command: string[];
  clientAddress: string;
  clientName: string;
}

export interface RedisSlowlogResponse {
  entries: RedisSlowlogEntry[];
  nodes: Array<{ node: string; length: number; slowerThanMicros: number | null; maxLength: number | null }>;
}

export interface RedisSlowlogResetResponse {
  nodesReset: number;
}

export interface RedisMemoryQuery {
  /** Keys to sample (SCAN), 100–10,000. */
  sample?: number;
  /** Biggest keys to list, 1–100. */
  top?: number;
}

export interface RedisMemoryKey {
  key: string;
  type: string;
  namespace: KeyNamespace;
  memoryBytes: number;
}

export interface RedisMemoryNamespace {
  namespace: KeyNamespace;
  sampledKeys: number;
  sampledMemoryBytes: number;
  /** Share of the sampled memory, 0–1. */
  share: number;
  /** Extrapolated to the whole database: an estimate. */
  estimatedMemoryBytes: number;
}

export interface RedisMemoryAnalysis {
  isSample: true;
  sampled: number;
  totalKeys: number;
  usedMemoryBytes: number;
  sampledMemoryBytes: number;
  topKeys: RedisMemoryKey[];
  namespaces: RedisMemoryNamespace[];
}
