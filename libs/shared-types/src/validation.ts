import type { ThresholdMetricType } from './monitoring-alerts.js';

/**
 * Input rules the service enforces (class-validator DTOs, services) and the dashboard checks before
 * sending, in one place so the two cannot drift. The service stays the authority: it checks more
 * (that a table exists, that a cron expression parses) than a form can.
 */

/** A plain SQL identifier (column, table or schema name): the service builds SQL from these, quoted. */
export const SQL_IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** `table` or `schema.table`, each part a plain identifier. */
export const QUALIFIED_TABLE_PATTERN = /^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/**
 * The longest table name once qualified (`public.` put before an unqualified one): the width of the service's
 * table-name columns, so a name accepted anywhere can be stored everywhere.
 */
export const TABLE_NAME_MAX_LENGTH = 100;

/**
 * The name of an index the service creates: lower case, as PostgreSQL folds unquoted names, so
 * `DROP INDEX idx_x` typed by hand finds it (a mixed-case name would have to be quoted forever).
 * At most 63 bytes, PostgreSQL's identifier limit.
 */
export const INDEX_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
export const INDEX_NAME_RULE =
  'lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters';

export const DATASOURCE_LIMITS = {
  nameMaxLength: 200,
  descriptionMaxLength: 1000,
  /** Below a minute a datasource would count as stale between two looks at it. */
  stalenessTtlSeconds: { min: 60, max: 30 * 86_400, default: 4 * 3_600 },
  minWarmIntervalSeconds: { min: 0, max: 86_400, default: 300 },
  fullRefreshEvery: { min: 1, max: 10_000, default: 24 },
} as const;

/** A warm schedule: 5 fields (minute hour day month weekday) or 6 (with seconds first), UTC. */
export const CRON_MAX_LENGTH = 100;
export const CRON_FIELD_COUNT = { min: 5, max: 6 } as const;

/** Free text written beside a decision: an alert's acknowledgement or resolution, a recommendation's notes. */
export const COMMENT_MAX_LENGTH = 1000;

/** Threshold levels are DECIMAL(18,4): four decimal places, at most 14 digits before the point. */
export const THRESHOLD_LEVEL = { min: 0.0001, max: 99_999_999_999_999, maxDecimalPlaces: 4 } as const;

/** Percentage metrics that may pass 100: cache age is a share of the staleness TTL, and twice the TTL is a real level. */
export const PERCENTAGE_METRICS_OVER_100: readonly ThresholdMetricType[] = ['CACHE_AGE'];
