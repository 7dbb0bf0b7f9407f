import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adminPasswordProblem,
  parseTrustProxy,
  secretProblem,
  servicePasswordProblem,
  TRUST_ALL_PROXIES_PROBLEM,
  urlPasswordProblem,
} from './security-rules.js';

import type { AppConfig } from './app-config.types.js';
import { loadEmailConfig } from './email-config.js';
import { loadRegionsConfig } from './region-config.js';

export type { AppConfig, ServiceRole } from './app-config.types.js';

type Env = Record<string, string | undefined>;

const here = dirname(fileURLToPathSafe());
function fileURLToPathSafe(): string {
  // Under Jest (CommonJS) import.meta is unavailable; __filename is.
  try {
    return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  } catch {
    return process.cwd();
  }
}

/** Reads every variable, collecting all problems so that one message lists them. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? fallback : value.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${env[name]}")`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const raw = str(name, fallback);
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const url = (name: string, fallback: string, protocols: string[]): string => {
    const raw = str(name, fallback);
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const ratio = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || value > 1) {
      problems.push(`${name} must be a number in (0, 1] (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const hourRange = (name: string, fallback: { start: number; end: number }): { start: number; end: number } => {
    const raw = str(name, '');
    if (!raw) return fallback;
    const match = /^(\d{1,2})-(\d{1,2})$/.exec(raw);
    const start = Number(match?.[1]);
    const end = Number(match?.[2]);
    if (!match || start > 23 || end < 1 || end > 24 || start === end) {
      problems.push(`${name} must be UTC hours start-end, e.g. 1-5 (got "${raw}")`);
      return fallback;
    }
    return { start, end };
  };

  const nodeEnv = oneOf('NODE_ENV', 'development', ['development', 'production', 'test'] as const);

  let clusterNodes: AppConfig['redis']['clusterNodes'] = null;
  const clusterRaw = str('REDIS_CLUSTER_NODES', '');
  if (clusterRaw) {
    clusterNodes = clusterRaw.split(',').map((part) => {
      const [host, port] = part.trim().split(':');
      const portNumber = Number(port);
      if (!host || !Number.isInteger(portNumber) || portNumber <= 0 || portNumber > 65535) {
        problems.push(`REDIS_CLUSTER_NODES must be host:port[,host:port…] (bad entry "${part}")`);
      }
      return { host, port: portNumber };
    });
  }

  let jwtSecret = str('JWT_SECRET', '');
  let jwtSecretEphemeral = false;
  const production = nodeEnv === 'production';
  if (jwtSecret && jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters');
  else if (jwtSecret && production) {
    const problem = secretProblem('JWT_SECRET', jwtSecret);
    if (problem) problems.push(problem);
  }
  if (!jwtSecret) {
    if (production)
      problems.push('JWT_SECRET is required when NODE_ENV=production (generate one: openssl rand -hex 32)');
    jwtSecret = randomBytes(32).toString('hex');
    jwtSecretEphemeral = true;
  }
  const jwksUrl = str('JWT_JWKS_URL', '') || null;
  // In production the provider's keys must come over TLS, and its tokens be meant for this service (issuer, audience).
  if (jwksUrl) url('JWT_JWKS_URL', jwksUrl, production ? ['https:'] : ['https:', 'http:']);
  if (jwksUrl && production) {
    for (const name of ['JWT_ISSUER', 'JWT_AUDIENCE'])
      if (!str(name, '')) problems.push(`${name} is required with JWT_JWKS_URL when NODE_ENV=production`);
  }

  const adminEmail = str('ADMIN_EMAIL', '');
  const adminPassword = str('ADMIN_PASSWORD', '');
  let admin: AppConfig['admin'] = null;
  if (adminEmail || adminPassword) {
    const passwordProblem = production && adminPassword ? adminPasswordProblem(adminPassword) : null;
    if (adminEmail && !adminPassword) {
      problems.push(
        `ADMIN_PASSWORD is required with ADMIN_EMAIL (the first admin's password${production ? '; NODE_ENV=production never uses a default one' : ''})`,
      );
    } else if (!adminEmail) problems.push('ADMIN_EMAIL is required with ADMIN_PASSWORD');
    else if (!/^[^\s@]+@[^\s@]+$/.test(adminEmail)) problems.push(`ADMIN_EMAIL is not an email address`);
    else if (adminPassword.length < 10) problems.push('ADMIN_PASSWORD must be at least 10 characters');
    else if (passwordProblem) problems.push(passwordProblem);
    else admin = { email: adminEmail.toLowerCase(), password: adminPassword };
  }

  const trustProxy = parseTrustProxy(str('TRUST_PROXY', 'none'));
  if (trustProxy.problem) problems.push(trustProxy.problem);
  else if (production && trustProxy.value === true) problems.push(TRUST_ALL_PROXIES_PROBLEM);
  const scryptCost = int('SCRYPT_COST', 17, 10, 20);
  if (production && scryptCost < 17)
    problems.push(`SCRYPT_COST must be at least 17 when NODE_ENV=production (got ${scryptCost})`);
  const apiDocs = oneOf('API_DOCS', production ? 'off' : 'public', ['public', 'authenticated', 'off'] as const);
  const metricsToken = str('METRICS_TOKEN', '') || null;
  const metrics = oneOf('METRICS', metricsToken ? 'token' : production ? 'off' : 'public', [
    'public',
    'token',
    'off',
  ] as const);
  if (metrics === 'token' && !metricsToken)
    problems.push('METRICS=token needs METRICS_TOKEN (the bearer token Prometheus sends)');
  if (metricsToken && metrics !== 'token')
    problems.push(`METRICS_TOKEN is set but METRICS is ${metrics}: remove one of them`);
  if (metricsToken && production) {
    const problem = secretProblem('METRICS_TOKEN', metricsToken);
    if (problem) problems.push(problem);
  }
  if (production) {
    for (const name of ['DATABASE_URL', 'SOURCE_DATABASE_URL', 'REDIS_URL']) {
      const problem = env[name] ? urlPasswordProblem(name, env[name]!) : null;
      if (problem) problems.push(problem);
    }
    // node-postgres takes a password missing from the URL from PGPASSWORD, as docker-compose.yml passes it.
    const problem = env.PGPASSWORD ? servicePasswordProblem('PGPASSWORD', env.PGPASSWORD) : null;
    if (problem) problems.push(problem);
  }

  const databaseUrl = url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/ccc', ['postgres:', 'postgresql:']);
  const sourceSchemas = schemaList('SOURCE_SCHEMAS', str('SOURCE_SCHEMAS', 'demo_analytics'), problems);
  // The demo's tables live in demo_analytics (src/demo/demo-datasets.ts): seeding them where they may not be read is a mistake.
  const seedDemo = bool('SEED_DEMO', false);
  if (seedDemo && !sourceSchemas.includes('demo_analytics')) {
    problems.push('SEED_DEMO=true needs demo_analytics in SOURCE_SCHEMAS (the demo tables live there)');
  }
  const queryPoolSize = int('SOURCE_QUERY_POOL_SIZE', 2, 1, 100);

  const scaleRaw = str('DEMO_SCALE', '1');
  const scale = Number(scaleRaw);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10)
    problems.push(`DEMO_SCALE must be a number in (0, 10] (got "${scaleRaw}")`);

  // A week at most: a retained generation holds as much Redis memory as the live one.
  const retention = int('GENERATION_RETENTION_SECONDS', 3_600, 0, 604_800);
  const gcGraceMs = int('CACHE_GC_GRACE_MS', 5_000, 0, 3_600_000);
  if (retention > 0 && retention * 1000 < gcGraceMs)
    problems.push(
      `GENERATION_RETENTION_SECONDS must be 0 or at least CACHE_GC_GRACE_MS (${gcGraceMs} ms): a retained generation outlives the grace period`,
    );

  const alertEmail = loadEmailConfig(env, { int, oneOf }, production, problems);

  const config: AppConfig = {
    env: nodeEnv,
    port: int('PORT', 3000, 1, 65535),
    host: str('HOST', '0.0.0.0'),
    role: oneOf('SERVICE_ROLE', 'all', ['all', 'api', 'worker'] as const),
    // `info` is what most tools (and our docker-compose.yml) call Nest's `log` level
    logLevel: ((level) => (level === 'info' ? 'log' : level))(
      oneOf('LOG_LEVEL', 'log', ['error', 'warn', 'info', 'log', 'debug', 'verbose'] as const),
    ),
    redis: {
      url: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
      clusterNodes,
      commandTimeoutMs: int('REDIS_COMMAND_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    regions: loadRegionsConfig(env, problems),
    database: { url: databaseUrl },
    sources: {
      schemas: sourceSchemas,
      databaseUrl: str('SOURCE_DATABASE_URL', '')
        ? url('SOURCE_DATABASE_URL', '', ['postgres:', 'postgresql:'])
        : databaseUrl,
      queryPoolSize,
      queryMaxConcurrent: int('SOURCE_QUERY_MAX_CONCURRENT', queryPoolSize, 1, 10_000),
      queryTimeoutMs: int('SOURCE_QUERY_TIMEOUT_MS', 5_000, 100, 600_000),
    },
    auth: {
      jwtSecret,
      jwtSecretEphemeral,
      jwksUrl,
      issuer: str('JWT_ISSUER', '') || null,
      audience: str('JWT_AUDIENCE', '') || null,
      tokenTtlSeconds: int('JWT_TTL_SECONDS', 8 * 3600, 60, 30 * 24 * 3600),
      maxExternalTokenAgeSeconds: int('JWT_MAX_TOKEN_AGE_SECONDS', 24 * 3600, 60, 30 * 24 * 3600),
      scryptCost,
      // 128 MiB per hash at the OWASP cost: one at a time on a small machine, so sign-ins never starve the rest.
      hashConcurrency: int('PASSWORD_HASH_CONCURRENCY', availableParallelism() <= 2 ? 1 : 2, 1, 64),
      hashMaxWaiting: int('PASSWORD_HASH_MAX_WAITING', 20, 0, 10_000),
    },
    http: { trustProxy: trustProxy.value, apiDocs, metrics, metricsToken },
    admin,
    corsOrigins: str('CORS_ORIGINS', '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    rateLimits: {
      defaultPerMinute: int('RATE_LIMIT_DEFAULT_PER_MINUTE', 600, 1, 1_000_000),
      loginPerMinute: int('RATE_LIMIT_LOGIN_PER_MINUTE', 20, 1, 10_000),
      warmingPerHour: int('RATE_LIMIT_WARMING_PER_HOUR', 10, 1, 100_000),
      invalidationPerHour: int('RATE_LIMIT_INVALIDATION_PER_HOUR', 20, 1, 100_000),
      queryPerSecond: int('RATE_LIMIT_QUERY_PER_SECOND', 1_000, 1, 1_000_000),
      classWindowSeconds: int('RATE_LIMIT_CLASS_WINDOW_SECONDS', 3600, 1, 86_400),
      unauthenticatedPerMinute: int('RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE', 60, 1, 1_000_000),
      unauthenticatedWindowSeconds: int('RATE_LIMIT_UNAUTHENTICATED_WINDOW_SECONDS', 60, 1, 86_400),
      loginBackoff: {
        accountFreeAttempts: int('LOGIN_BACKOFF_ACCOUNT_FREE_ATTEMPTS', 5, 1, 1_000),
        ipFreeAttempts: int('LOGIN_BACKOFF_IP_FREE_ATTEMPTS', 20, 1, 1_000_000),
        maxSeconds: int('LOGIN_BACKOFF_MAX_SECONDS', 60, 1, 3_600),
        windowSeconds: int('LOGIN_BACKOFF_WINDOW_SECONDS', 900, 60, 86_400),
      },
    },
    audit: { outboxMaxRows: int('AUDIT_OUTBOX_MAX_ROWS', 100_000, 1, 10_000_000) },
    demo: { seed: seedDemo, scale: Number.isFinite(scale) && scale > 0 ? scale : 1 },
    dashboardDir: resolveDashboardDir(str('DASHBOARD_DIR', '')),
    dashboardUrl: alertEmail.dashboardUrl,
    warming: {
      concurrency: int('WARM_CONCURRENCY', 2, 1, 32),
      attempts: int('WARM_ATTEMPTS', 3, 1, 20),
      jobLockMs: int('WARM_JOB_LOCK_MS', 30_000, 1_000, 600_000),
      gcGraceMs,
      generationRetentionSeconds: retention,
      deletion: {
        batchBytes: int('CACHE_DELETE_BATCH_BYTES', 65_536, 1_024, 16_777_216),
        pauseMs: int('CACHE_DELETE_PAUSE_MS', 2, 0, 1_000),
      },
      memoryGuardRatio: ratio('CACHE_MEMORY_GUARD_RATIO', 0.9),
      batchEntries: int('WARM_BATCH_ENTRIES', 200, 1, 10_000),
      maxPauseSeconds: int('WARM_MAX_PAUSE_SECONDS', 1_800, 1, 86_400),
      watermarkOverlapSeconds: int('WARM_WATERMARK_OVERLAP_SECONDS', 300, 0, 86_400),
      sourceLockTimeoutMs: int('WARM_SOURCE_LOCK_TIMEOUT_MS', 60_000, 100, 3_600_000),
      stallTimeoutMs: int('WARM_STALL_TIMEOUT_MS', 300_000, 1_000, 86_400_000),
    },
    query: { maxEntries: int('QUERY_MAX_ENTRIES', 5_000, 1, 7_000) },
    changeCapture: {
      databaseUrl: str('CDC_DATABASE_URL', '')
        ? url('CDC_DATABASE_URL', '', ['postgres:', 'postgresql:'])
        : databaseUrl,
      flushMs: int('CDC_FLUSH_MS', 500, 50, 60_000),
      flushChanges: int('CDC_FLUSH_CHANGES', 5_000, 1, 1_000_000),
      maxLagBytes: int('CDC_MAX_LAG_BYTES', 256 * 1024 * 1024, 1_024, Number.MAX_SAFE_INTEGER),
      fullWarmMinIntervalSeconds: int('CDC_FULL_WARM_MIN_INTERVAL_SECONDS', 3_600, 0, 30 * 86_400),
    },
    monitoring: {
      schedulesEnabled: bool('MONITORING_SCHEDULES', true),
      alertEvaluationIntervalSeconds: int('ALERT_EVALUATION_INTERVAL_SECONDS', 60, 1, 86_400),
      alertWindowMinutes: int('ALERT_WINDOW_MINUTES', 60, 1, 7 * 24 * 60),
      alertRepeatIntervalSeconds: int('ALERT_REPEAT_INTERVAL_SECONDS', 4 * 3600, 1, 30 * 86_400),
      webhookUrl: str('ALERT_WEBHOOK_URL', '') ? url('ALERT_WEBHOOK_URL', '', ['https:', 'http:']) : null,
      webhookAttempts: int('ALERT_WEBHOOK_ATTEMPTS', 5, 1, 20),
      webhookTimeoutMs: int('ALERT_WEBHOOK_TIMEOUT_MS', 5_000, 100, 60_000),
      email: alertEmail.email,
      slowQueryThresholdMs: int('SLOW_QUERY_THRESHOLD_MS', 1_000, 1, 3_600_000),
      explainTimeoutMs: int('EXPLAIN_TIMEOUT_MS', 2_000, 100, 60_000),
      offPeakHours: hourRange('INDEX_OFF_PEAK_HOURS', { start: 1, end: 5 }),
      indexDropMinBytes: int('INDEX_DROP_MIN_BYTES', 10 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
      indexDropMinAgeDays: int('INDEX_DROP_MIN_AGE_DAYS', 7, 0, 3650),
      queryLogRetentionDays: int('QUERY_LOG_RETENTION_DAYS', 30, 1, 3650),
    },
    remediation: { maxActionsPerHour: int('REMEDIATION_MAX_ACTIONS_PER_HOUR', 20, 1, 1_000) },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * SOURCE_SCHEMAS: plain names as pg_namespace spells them (the service quotes them, so case matters). PostgreSQL's
 * own schemas are refused here; the service's own schema is refused at start-up, once the database says which it is.
 */
function schemaList(name: string, raw: string, problems: string[]): string[] {
  const schemas = [
    ...new Set(
      raw
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
  if (schemas.length === 0) problems.push(`${name} must name at least one schema`);
  for (const schema of schemas) {
    if (!SCHEMA_NAME.test(schema))
      problems.push(`${name} entries must be plain schema names (letters, digits, underscore; got "${schema}")`);
    else if (/^(pg_|information_schema$)/i.test(schema)) {
      problems.push(
        `${name} must not name PostgreSQL's own schemas (pg_catalog, information_schema, pg_toast, pg_temp…; got "${schema}")`,
      );
    }
  }
  return schemas;
}

function resolveDashboardDir(configured: string): string | null {
  if (configured) return resolve(configured);
  // Default: the workspace's built dashboard, found relative to this file (src/ or dist/).
  const candidate = resolve(here, '..', '..', '..', 'dashboard', 'dist');
  return existsSync(candidate) ? candidate : null;
}

let loaded: AppConfig | null = null;

/** The process's configuration, read and validated once (an ephemeral JWT secret must not change between readers). */
export function getConfig(): AppConfig {
  loaded ??= loadConfig();
  return loaded;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}
