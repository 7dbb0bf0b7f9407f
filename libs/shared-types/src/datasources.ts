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
}

export type UpdateDatasourceRequest = Partial<CreateDatasourceRequest>;
