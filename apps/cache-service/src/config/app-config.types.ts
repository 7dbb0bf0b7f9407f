// The shape of the service's configuration; app-config.ts reads it from the environment and validates it.
import type { EmailConfig } from './email-config.js';
import type { RegionsConfig } from './region-config.js';
import type { TrustProxySetting } from './security-rules.js';

export type ServiceRole = 'all' | 'api' | 'worker';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  role: ServiceRole;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  redis: {
    url: string;
    clusterNodes: Array<{ host: string; port: number }> | null;
    /** A command of the service's Redis client not answered within this fails (a hung network path), instead of hanging its request. */
    commandTimeoutMs: number;
  };
  /** Redis targets a datasource can be warmed into (REDIS_REGIONS), and the one this process reads (SERVICE_REGION). */
  regions: RegionsConfig;
  database: { url: string };
  /** Where datasources may read from, and how the query API's cold fallbacks are kept from starving the database. */
  sources: {
    /** The only schemas datasources, index strategies and the query API may touch (exact catalog names). */
    schemas: string[];
    /** Connection sources are read through (ideally a read-only role on the same database); DATABASE_URL when unset. */
    databaseUrl: string;
    /** Connections of the cold fallbacks' own pool. */
    queryPoolSize: number;
    /** Cold fallbacks running at once in this process; more answer 503 SOURCE_BUSY with Retry-After. */
    queryMaxConcurrent: number;
    /** statement_timeout of a cold fallback. */
    queryTimeoutMs: number;
  };
  auth: {
    /** HS256 secret for local tokens (and externally issued HS256 tokens). */
    jwtSecret: string;
    /** True when the secret was generated for this process only (development without JWT_SECRET). */
    jwtSecretEphemeral: boolean;
    jwksUrl: string | null;
    issuer: string | null;
    audience: string | null;
    tokenTtlSeconds: number;
    /** Identity-provider tokens older than this (by `iat`) are refused, whatever their `exp`. */
    maxExternalTokenAgeSeconds: number;
    /** log2 of scrypt's N for new password hashes; 17 (OWASP) in production, lower only in tests. */
    scryptCost: number;
    /** Password hashes computed at once (128 MiB each at the OWASP cost), and how many may wait (more: 503 SERVICE_BUSY). */
    hashConcurrency: number;
    hashMaxWaiting: number;
  };
  http: {
    /** Express `trust proxy`: whose X-Forwarded-For is believed when telling the client's address. */
    trustProxy: TrustProxySetting;
    /** Swagger UI and the OpenAPI JSON: for everyone, only with a credential, or not served. */
    apiDocs: 'public' | 'authenticated' | 'off';
    /** /metrics: for everyone, only with `Authorization: Bearer <METRICS_TOKEN>`, or not served. */
    metrics: 'public' | 'token' | 'off';
    metricsToken: string | null;
  };
  admin: { email: string; password: string } | null;
  corsOrigins: string[];
  rateLimits: {
    defaultPerMinute: number;
    loginPerMinute: number;
    warmingPerHour: number;
    invalidationPerHour: number;
    /** Query API requests per second per principal, counted in this process (no Redis round trip). */
    queryPerSecond: number;
    /** Window of the warming and invalidation limits; one hour in production, shorter only in tests. */
    classWindowSeconds: number;
    /** Requests with a missing or invalid credential per client IP per window; over it, 429 before any credential lookup. */
    unauthenticatedPerMinute: number;
    /** That window: one minute in production, longer only in tests. */
    unauthenticatedWindowSeconds: number;
    /** Failed sign-ins before delays start (per account, per IP), the longest delay, and when failures are forgotten. */
    loginBackoff: { accountFreeAttempts: number; ipFreeAttempts: number; maxSeconds: number; windowSeconds: number };
  };
  audit: {
    /** Rows the Redis outbox may hold while PostgreSQL refuses them; beyond it rows are lost (logged, counted on /metrics). */
    outboxMaxRows: number;
  };
  demo: { seed: boolean; scale: number };
  dashboardDir: string | null;
  /** Where people reach the dashboard (links in alert e-mails); ends with "/". */
  dashboardUrl: string;
  warming: {
    /** Warming jobs one worker process runs at once. */
    concurrency: number;
    /** Tries per job (the first run plus retries with exponential backoff). */
    attempts: number;
    /** BullMQ job lock: a worker that stops renewing it for this long is considered crashed and its job retried. */
    jobLockMs: number;
    /** How long an old generation stays readable after a swap, for readers in flight. */
    gcGraceMs: number;
    /**
     * How long the generation a swap replaced stays in Redis for a rollback (0: deleted after the grace period); the
     * memory guard drops it first when a warm needs the memory.
     */
    generationRetentionSeconds: number;
    /** Deleting cached data: no UNLINK/SREM frees more than `batchBytes`; `pauseMs` between two (generation-deletion.ts). */
    deletion: { batchBytes: number; pauseMs: number };
    /** A warm pauses-with-failure when Redis used_memory plus the shadow's estimate would pass this share of maxmemory. */
    memoryGuardRatio: number;
    /** Entries per pipelined write. */
    batchEntries: number;
    /** A warm paused longer than this is cancelled: it holds a database snapshot (and a COPY) open while paused. */
    maxPauseSeconds: number;
    /**
     * An incremental refresh re-reads groups with rows up to this long before the live generation's watermark: a row
     * written by a transaction that committed after the watermark was read can carry an earlier timestamp.
     */
    watermarkOverlapSeconds: number;
    /** How long a warm waits for a lock on its source table before it fails (and is retried). */
    sourceLockTimeoutMs: number;
    /** A running warm that makes no progress (no rows read, no batch written) for this long is stopped and retried. */
    stallTimeoutMs: number;
  };
  query: { maxEntries: number };
  /** Change data capture (datasources in `cdc` mode: logical replication from the source, change-capture/). */
  changeCapture: {
    /**
     * Role that creates publications and slots and streams them (CDC_DATABASE_URL, DATABASE_URL when unset): needs
     * REPLICATION and the source tables' ownership. Never the read-only source role: REPLICATION can decode every table.
     */
    databaseUrl: string;
    /** Captured changes are refreshed at most this long after the first of them arrived… */
    flushMs: number;
    /** …or as soon as this many changed groups are pending. */
    flushChanges: number;
    /** A slot retaining more WAL than this is abandoned for a full warm (and alerts). */
    maxLagBytes: number;
    /**
     * The periodic full warm of a cdc datasource runs after `fullRefreshEvery` incremental refreshes *and* at least this
     * long after the last full warm: its refreshes follow the write rate (one every few seconds under load), so a count
     * alone would re-read the whole source every minute and hold back the changes meanwhile.
     */
    fullWarmMinIntervalSeconds: number;
  };
  monitoring: {
    /** Periodic monitoring work (alert evaluation, rollups, index statistics) runs in this process (roles all/worker). */
    schedulesEnabled: boolean;
    alertEvaluationIntervalSeconds: number;
    /** Window over which rate metrics (hit rate, average query time) are computed for alerts. */
    alertWindowMinutes: number;
    /** An ACTIVE (unacknowledged) alert is notified again after this long; acknowledged alerts are not. */
    alertRepeatIntervalSeconds: number;
    /** Slack-compatible incoming webhook for alert notifications; null = none. */
    webhookUrl: string | null;
    webhookAttempts: number;
    webhookTimeoutMs: number;
    /** Alert e-mails over SMTP; null = none (email-config.ts). */
    email: EmailConfig | null;
    /** Default slow-query threshold when no QUERY_TIME threshold names the table. */
    slowQueryThresholdMs: number;
    /** statement_timeout of the EXPLAIN run for a slow query's plan. */
    explainTimeoutMs: number;
    /** UTC hours [start, end) in which OFF_PEAK index builds may run. */
    offPeakHours: { start: number; end: number };
    /** Smallest index that may be flagged for dropping when unused. */
    indexDropMinBytes: number;
    /** An index younger than this (since it was built or first seen) is never flagged for dropping. */
    indexDropMinAgeDays: number;
    /** query_performance_log rows older than this are deleted. */
    queryLogRetentionDays: number;
  };
  remediation: {
    /** Automatic actions (changes and escalations, not dry runs) all rules together may take per hour. */
    maxActionsPerHour: number;
  };
}
