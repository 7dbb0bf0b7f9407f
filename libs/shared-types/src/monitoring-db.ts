/** Monitoring: query performance log and index management (seed 003). */

// ---------------------------------------------------------------------------------------------
// Query performance
// ---------------------------------------------------------------------------------------------

export interface QueryPerformanceEntry {
  id: string;
  /** SHA-256 (64 hex) of the normalised query. */
  queryHash: string;
  /** The normalised query (literals replaced by `?`). */
  queryPattern: string;
  executionTimeMs: number;
  rowsExamined: number;
  rowsReturned: number;
  indexesUsed: string[] | null;
  executionPlan: unknown | null;
  usedIndex: boolean;
  isSlowQuery: boolean;
  slowQueryThresholdMs: number;
  databaseUser: string;
  /** E.g. `warming:ds:3`, `cold-fallback:ds:3`. */
  applicationContext: string | null;
  datasourceId: number | null;
  executedAt: string;
}

export interface QueryPerformanceWindowQuery {
  /** ISO timestamps; default the last 24 hours. */
  from?: string;
  to?: string;
  datasourceId?: number;
  limit?: number;
}

export interface QueryPatternSummary {
  queryHash: string;
  queryPattern: string;
  executions: number;
  totalTimeMs: number;
  avgTimeMs: number;
  maxTimeMs: number;
  slowExecutions: number;
  lastExecutedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Index management
// ---------------------------------------------------------------------------------------------

export const INDEX_TYPES = ['BTREE', 'HASH', 'GIN', 'GIST', 'PARTIAL', 'COMPOSITE', 'FUNCTIONAL'] as const;
export type IndexType = (typeof INDEX_TYPES)[number];

export const INDEX_USAGE_PATTERNS = ['LOOKUP', 'RANGE_SCAN', 'SORT', 'JOIN', 'FULL_TEXT', 'ANALYTICS'] as const;
export type IndexUsagePattern = (typeof INDEX_USAGE_PATTERNS)[number];

export const MAINTENANCE_WINDOWS = ['IMMEDIATE', 'OFF_PEAK', 'WEEKEND', 'SCHEDULED'] as const;
export type MaintenanceWindow = (typeof MAINTENANCE_WINDOWS)[number];

export interface IndexStrategy {
  id: string;
  /** Schema-qualified table of a datasource, e.g. `demo_analytics.revenue_facts`. */
  tableName: string;
  indexName: string;
  indexType: IndexType;
  /** The CREATE INDEX statement the service built from the fields below (never user SQL). */
  indexDefinition: string;
  columns: string[];
  whereClause: string | null;
  usagePattern: IndexUsagePattern;
  maintenanceWindow: MaintenanceWindow;
  /** For SCHEDULED: when the index may be built. */
  scheduledAt: string | null;
  isCreated: boolean;
  isMonitoring: boolean;
  /** Set when "apply" was asked for and the window has not come yet. */
  applyRequestedAt: string | null;
  createdInDatabaseAt: string | null;
  lastError: string | null;
  /** True for indexes the collector found on a datasource table rather than ones created here. */
  discovered: boolean;
  /** The service's own build made this index: only such indexes may be dropped through the API. */
  builtByService: boolean;
  createdBy: string;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  isActive: boolean;
  latestUsage: IndexUsageStats | null;
}

export interface CreateIndexStrategyRequest {
  tableName: string;
  indexName: string;
  indexType: IndexType;
  columns: string[];
  /** PARTIAL only: a restricted predicate grammar (column op literal [AND …], column IS [NOT] NULL). */
  whereClause?: string | null;
  usagePattern: IndexUsagePattern;
  maintenanceWindow: MaintenanceWindow;
  scheduledAt?: string | null;
  isMonitoring?: boolean;
}

export type UpdateIndexStrategyRequest = Partial<
  Pick<CreateIndexStrategyRequest, 'usagePattern' | 'maintenanceWindow' | 'scheduledAt' | 'isMonitoring'>
> & { isActive?: boolean };

export interface ApplyIndexResult {
  /** `created`: built now; `deferred`: will be built when the window opens at `windowOpensAt`; `exists`: already there. */
  status: 'created' | 'deferred' | 'exists';
  windowOpensAt: string | null;
  strategy: IndexStrategy;
}

export interface IndexUsageStats {
  id: string;
  indexStrategyId: string;
  tableName: string;
  indexName: string;
  totalScans: number;
  totalTuplesRead: number;
  totalTuplesFetched: number;
  avgScanTimeMs: number;
  selectivityRatio: number;
  indexSizeBytes: number;
  maintenanceCostScore: number;
  isRecommendedForDrop: boolean;
  isUnique: boolean;
  isPrimary: boolean;
  statsDate: string;
  lastAnalyzed: string;
}

export interface IndexUsageQuery {
  indexStrategyId?: string;
  tableName?: string;
  from?: string;
  to?: string;
}

export interface IndexCollectionResult {
  collectedAt: string;
  indexes: number;
  discovered: number;
  flaggedForDrop: number;
  ran: boolean;
}
