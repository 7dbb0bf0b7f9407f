/** Which source column holds each dimension of an analytics row. */
export interface ColumnMapping {
  measure: string;
  practice: string;
  provider: string;
  frequency: string;
  period: string;
  value: string;
}

export const FREQUENCIES = ['Daily', 'Weekly', 'Monthly', 'Quarterly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/**
 * How a refresh finds what changed in the source: `none` re-reads it whole (a full warm); `watermark` reads only the
 * groups with a row whose watermark column (an updated_at-style timestamp or number) is past the live generation's
 * watermark, and carries every other entry over; `cdc` follows PostgreSQL logical replication.
 */
export const CHANGE_DETECTION_MODES = ['none', 'watermark', 'cdc'] as const;
export type ChangeDetection = (typeof CHANGE_DETECTION_MODES)[number];

/** A registered datasource: the `cache_strategy` row that says how it is cached. */
export interface Datasource {
  /** Numeric id used in the API and in Redis keys (`{ds:<id>}`). */
  id: number;
  /** UUID of the `cache_strategy` row. */
  strategyId: string;
  name: string;
  description: string | null;
  /** Schema-qualified source table, e.g. `demo_analytics.revenue_facts`. */
  sourceTable: string;
  columnMapping: ColumnMapping;
  /** Cache age after which the datasource counts as stale. */
  stalenessTtlSeconds: number;
  /** A warm within this interval is skipped unless forced. */
  minWarmIntervalSeconds: number;
  /** Cron expression for scheduled auto-warming, or null for none. */
  warmSchedule: string | null;
  enabled: boolean;
  /** How refreshes find changes (default `none`: every refresh is a full warm). */
  changeDetection: ChangeDetection;
  /** The watermark column (mode `watermark`): a timestamp or number column set on every insert and update. */
  watermarkColumn: string | null;
  /** A full warm runs instead of every this-many-th incremental refresh (resets drift a watermark cannot see). */
  fullRefreshEvery: number;
  /** The Redis regions warms write into (REDIS_REGIONS); always holds `primary`, first. */
  regions: string[];
  createdAt: string;
  updatedAt: string;
}

export interface CreateDatasourceRequest {
  name: string;
  description?: string | null;
  sourceTable: string;
  columnMapping: ColumnMapping;
  stalenessTtlSeconds?: number;
  minWarmIntervalSeconds?: number;
  warmSchedule?: string | null;
  enabled?: boolean;
  changeDetection?: ChangeDetection;
  watermarkColumn?: string | null;
  fullRefreshEvery?: number;
  /** Regions to warm into besides `primary` (always warmed); default: primary only. */
  regions?: string[];
}

export type UpdateDatasourceRequest = Partial<CreateDatasourceRequest>;
