import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { SourceReader, type QueryExecution } from '../analytics-cache/source-reader.js';
import { APP_CONFIG } from '../config/config.module.js';
import { explainableSql, normaliseQuery, queryHash, summarisePlan, type PlanSummary } from './query-normalizer.js';
import { QueryPerformanceRepository, type QueryLogRow } from './query-performance.repository.js';

interface Pending extends QueryExecution {
  executedAt: Date;
}

interface CachedPlan {
  at: number;
  summary: PlanSummary | null;
  plan: unknown | null;
}

const FLUSH_EVERY_MS = 1_000;
const MAX_BUFFER = 10_000;
const BATCH_ROWS = 500;
/** A pattern is explained at most this often: its estimated plan barely changes between runs. */
const PLAN_CACHE_MS = 10 * 60_000;
const MAX_CACHED_PLANS = 1_000;
const THRESHOLD_CACHE_MS = 10_000;
/** A warming read may take the slow-query threshold once per this many rows before it counts as slow. */
export const WARMING_ROWS_PER_THRESHOLD = 10_000;

/**
 * The time above which a query counts as slow. A warming read is the service's own full read of a table (COPY in
 * key order): a sequential scan whose time grows with the table is what it should do, so it is allowed the
 * threshold per WARMING_ROWS_PER_THRESHOLD rows, and lands among the slow queries only when genuinely slow
 * (10,000 rows per second at the default threshold of 1 s, some 200 times slower than a COPY reads here).
 */
export function slowLimitMs(context: QueryExecution['context'], thresholdMs: number, rowsReturned: number): number {
  if (context !== 'warming') return thresholdMs;
  return thresholdMs * Math.max(1, rowsReturned / WARMING_ROWS_PER_THRESHOLD);
}

/**
 * Records datasource queries in query_performance_log. `record` only pushes into a bounded in-memory buffer
 * (the query path never waits for it); a timer writes the buffer in batches every second and on shutdown.
 * Plans come from EXPLAIN without ANALYZE (the query is not run again), cached per pattern, so rows_examined
 * is the planner's estimate; they run here, in the batch writer, on a spare connection of the cold fallbacks' pool
 * (SourceDatabase.withSpareReader), and are skipped while the fallbacks need every connection.
 */
@Injectable()
export class QueryPerformanceRecorder implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueryPerformanceRecorder.name);
  private buffer: Pending[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | null = null;
  private readonly plans = new Map<string, CachedPlan>();
  private readonly thresholds = new Map<string, { at: number; value: number | null }>();
  private databaseUser: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: QueryPerformanceRepository,
    private readonly reader: SourceReader,
  ) {}

  onModuleInit(): void {
    // The engine sits below this area: it reports its source queries to whoever listens instead of importing us.
    this.reader.onQuery((execution) => this.record(execution));
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(execution: QueryExecution): void {
    if (this.buffer.length >= MAX_BUFFER) {
      this.dropped++;
      return;
    }
    this.buffer.push({ ...execution, executedAt: new Date() });
  }

  /** Writes everything buffered so far (tests call it instead of waiting for the timer). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0 && this.dropped === 0) return;
    this.flushing = this.flushAll().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async flushAll(): Promise<void> {
    if (this.dropped > 0) {
      this.logger.warn(`query performance log buffer full: ${this.dropped} entries dropped`);
      this.dropped = 0;
    }
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, BATCH_ROWS);
      try {
        const rows: QueryLogRow[] = [];
        for (const entry of batch) rows.push(await this.toRow(entry));
        await this.repository.insertBatch(rows);
      } catch (error) {
        this.logger.warn(`${batch.length} query performance log entries not written: ${(error as Error).message}`);
      }
    }
  }

  private async toRow(entry: Pending): Promise<QueryLogRow> {
    const pattern = normaliseQuery(entry.sql);
    const hash = queryHash(pattern);
    const plan = await this.planFor(hash, entry);
    const threshold = slowLimitMs(
      entry.context,
      await this.thresholdFor(entry.table, entry.strategyId),
      entry.rowsReturned,
    );
    const executionTimeMs = Math.max(0, Math.round(entry.executionTimeMs * 1000) / 1000);
    const slow = executionTimeMs > threshold;
    return {
      query_hash: hash,
      query_pattern: pattern,
      execution_time_ms: executionTimeMs,
      rows_examined: plan.summary?.rowsExamined ?? 0,
      rows_returned: Math.max(0, Math.round(entry.rowsReturned)),
      indexes_used: plan.summary ? plan.summary.indexesUsed : null,
      execution_plan: slow ? plan.plan : null,
      used_index: plan.summary?.usedIndex ?? false,
      is_slow_query: slow,
      slow_query_threshold_ms: threshold,
      database_user: (await this.user()).slice(0, 100),
      application_context: (entry.datasourceId !== null
        ? `${entry.context}:ds:${entry.datasourceId}`
        : entry.context
      ).slice(0, 100),
      executed_at: entry.executedAt.toISOString(),
      cache_strategy_id: entry.strategyId,
    };
  }

  /**
   * The plan of a pattern, explained at most once per PLAN_CACHE_MS; a failed or timed-out EXPLAIN gives no plan.
   * One skipped because the cold fallbacks had no connection spare gives none either, and is asked again next time.
   */
  private async planFor(hash: string, entry: Pending): Promise<CachedPlan> {
    const cached = this.plans.get(hash);
    if (cached && Date.now() - cached.at < PLAN_CACHE_MS) return cached;
    let result: CachedPlan = { at: Date.now(), summary: null, plan: null };
    const sql = explainableSql(entry.sql);
    if (sql) {
      try {
        const explained = await this.repository.explain(
          sql,
          entry.params ?? [],
          this.config.monitoring.explainTimeoutMs,
        );
        if (!explained) return result;
        result = {
          at: Date.now(),
          summary: summarisePlan(explained.plan, (relation) => explained.tableRows.get(relation)),
          plan: explained.plan,
        };
      } catch (error) {
        this.logger.debug(`EXPLAIN failed for ${hash.slice(0, 12)}: ${(error as Error).message}`);
      }
    }
    if (this.plans.size >= MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(hash, result);
    return result;
  }

  private async thresholdFor(table: string, strategyId: string | null): Promise<number> {
    const key = `${table}\u0000${strategyId ?? ''}`;
    const cached = this.thresholds.get(key);
    let value = cached && Date.now() - cached.at < THRESHOLD_CACHE_MS ? cached.value : undefined;
    if (value === undefined) {
      value = await this.repository.slowThresholdFor(table, strategyId);
      if (this.thresholds.size >= MAX_CACHED_PLANS) this.thresholds.clear();
      this.thresholds.set(key, { at: Date.now(), value });
    }
    return value ?? this.config.monitoring.slowQueryThresholdMs;
  }

  private async user(): Promise<string> {
    this.databaseUser ??= await this.repository.currentUser();
    return this.databaseUser;
  }
}
