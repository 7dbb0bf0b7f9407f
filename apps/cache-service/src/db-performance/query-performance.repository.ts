import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { QueryPatternSummary, QueryPerformanceEntry } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';
import { SourceDatabase } from '../datasources/source-database.js';
import { parseSourceName } from '../datasources/source-name.js';

/** One row of query_performance_log as the recorder writes it. */
export interface QueryLogRow {
  query_hash: string;
  query_pattern: string;
  execution_time_ms: number;
  rows_examined: number;
  rows_returned: number;
  indexes_used: string[] | null;
  execution_plan: unknown | null;
  used_index: boolean;
  is_slow_query: boolean;
  slow_query_threshold_ms: number;
  database_user: string;
  application_context: string | null;
  executed_at: string;
  cache_strategy_id: string | null;
}

export interface LogWindow {
  from: Date;
  to: Date;
  /** The cache_strategy row of the datasource filtered on (the caller resolved the datasource id). */
  strategyId?: string;
  limit: number;
}

interface EntryRow {
  id: string;
  query_hash: string;
  query_pattern: string;
  execution_time_ms: string;
  rows_examined: string;
  rows_returned: string;
  indexes_used: string[] | null;
  execution_plan: unknown | null;
  used_index: boolean;
  is_slow_query: boolean;
  slow_query_threshold_ms: string;
  database_user: string;
  application_context: string | null;
  datasource_id: number | null;
  executed_at: Date;
}

const ENTRY_COLUMNS = `q.id, q.query_hash, q.query_pattern, q.execution_time_ms, q.rows_examined, q.rows_returned, q.indexes_used,
  q.execution_plan, q.used_index, q.is_slow_query, q.slow_query_threshold_ms, q.database_user, q.application_context,
  cs.datasource_id, q.executed_at`;

function toEntry(row: EntryRow): QueryPerformanceEntry {
  return {
    id: row.id,
    queryHash: row.query_hash,
    queryPattern: row.query_pattern,
    executionTimeMs: Number(row.execution_time_ms),
    rowsExamined: Number(row.rows_examined),
    rowsReturned: Number(row.rows_returned),
    indexesUsed: row.indexes_used,
    executionPlan: row.execution_plan,
    usedIndex: row.used_index,
    isSlowQuery: row.is_slow_query,
    slowQueryThresholdMs: Number(row.slow_query_threshold_ms),
    databaseUser: row.database_user,
    applicationContext: row.application_context,
    datasourceId: row.datasource_id,
    executedAt: row.executed_at.toISOString(),
  };
}

/** query_performance_log and the thresholds the recorder judges queries by. */
@Injectable()
export class QueryPerformanceRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly source: SourceDatabase,
  ) {}

  /** One INSERT for a batch; a datasource deleted meanwhile leaves cache_strategy_id null rather than failing the batch. */
  async insertBatch(rows: QueryLogRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO query_performance_log (query_hash, query_pattern, execution_time_ms, rows_examined, rows_returned, indexes_used,
         execution_plan, used_index, is_slow_query, slow_query_threshold_ms, database_user, application_context, executed_at, cache_strategy_id)
       SELECT r.query_hash, r.query_pattern, r.execution_time_ms, r.rows_examined, r.rows_returned, r.indexes_used,
         r.execution_plan, r.used_index, r.is_slow_query, r.slow_query_threshold_ms, r.database_user, r.application_context, r.executed_at, cs.id
       FROM jsonb_to_recordset($1::jsonb) AS r(query_hash text, query_pattern text, execution_time_ms numeric, rows_examined bigint,
         rows_returned bigint, indexes_used jsonb, execution_plan jsonb, used_index boolean, is_slow_query boolean,
         slow_query_threshold_ms numeric, database_user varchar, application_context varchar, executed_at timestamptz, cache_strategy_id uuid)
       LEFT JOIN cache_strategy cs ON cs.id = r.cache_strategy_id`,
      [JSON.stringify(rows)],
    );
  }

  /** The warning level of the active QUERY_TIME threshold naming the table (the datasource's own first), if any. */
  async slowThresholdFor(table: string, strategyId: string | null): Promise<number | null> {
    const name = parseSourceName(table);
    const qualified = name?.qualified ?? table;
    const bare = name?.table ?? table;
    const [row] = await this.db.query(
      `SELECT warning_threshold::float8 AS warning FROM performance_threshold
       WHERE metric_type = 'QUERY_TIME' AND is_active AND table_name IN ($1, $2, $3)
         AND (cache_strategy_id IS NULL OR cache_strategy_id = $4)
       ORDER BY (cache_strategy_id IS NOT NULL) DESC, (table_name = $1) DESC, updated_at DESC
       LIMIT 1`,
      [table, qualified, bare, strategyId],
    );
    return row ? Number(row.warning) : null;
  }

  /** The role source queries run as (SOURCE_DATABASE_URL's), recorded with each logged query. */
  async currentUser(): Promise<string> {
    const [row] = await this.source.query<{ name: string }>(`SELECT current_user AS name`);
    return String(row?.name ?? 'unknown');
  }

  /**
   * EXPLAIN (FORMAT JSON, VERBOSE) of a statement as the source role that ran it, in a read-only transaction under a
   * statement timeout, on a spare connection of the cold fallbacks' pool — never on the service's own pool. Null
   * when the fallbacks leave none spare (skipped: it is asked again next time).
   */
  async explain(
    sql: string,
    params: unknown[],
    timeoutMs: number,
  ): Promise<{ plan: unknown; tableRows: Map<string, number> } | null> {
    return this.source.withSpareReader(timeoutMs, async (client) => {
      const { rows: explained } = await client.query(`EXPLAIN (FORMAT JSON, VERBOSE) ${sql}`, params);
      const plan = (explained[0] as Record<string, unknown>)['QUERY PLAN'];
      const relations = new Set<string>();
      const visit = (node: Record<string, unknown>): void => {
        if (node['Node Type'] === 'Seq Scan' && typeof node['Relation Name'] === 'string') {
          relations.add(
            typeof node.Schema === 'string' ? `${node.Schema}.${node['Relation Name']}` : node['Relation Name'],
          );
        }
        for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) visit(child);
      };
      const root = Array.isArray(plan) ? (plan[0] as { Plan?: Record<string, unknown> } | undefined)?.Plan : undefined;
      if (root) visit(root);
      const tableRows = new Map<string, number>();
      if (relations.size > 0) {
        const { rows } = await client.query<{ name: string; n: string }>(
          `SELECT r.name, greatest(c.reltuples, 0)::bigint::text AS n
           FROM unnest($1::text[]) AS r(name)
           JOIN pg_class c ON c.oid = to_regclass(quote_ident(split_part(r.name, '.', 1)) || '.' || quote_ident(split_part(r.name, '.', 2)))`,
          [[...relations].filter((name) => name.includes('.'))],
        );
        for (const row of rows) tableRows.set(row.name, Number(row.n));
      }
      return { plan, tableRows };
    });
  }

  /** Slow queries in the window, slowest first. */
  async slow(window: LogWindow): Promise<QueryPerformanceEntry[]> {
    const rows: EntryRow[] = await this.db.query(
      `SELECT ${ENTRY_COLUMNS}
       FROM query_performance_log q LEFT JOIN cache_strategy cs ON cs.id = q.cache_strategy_id
       WHERE q.is_slow_query AND q.executed_at >= $1 AND q.executed_at < $2 AND ($3::uuid IS NULL OR q.cache_strategy_id = $3)
       ORDER BY q.execution_time_ms DESC, q.executed_at DESC
       LIMIT $4`,
      [window.from, window.to, window.strategyId ?? null, window.limit],
    );
    return rows.map(toEntry);
  }

  /** Query patterns in the window by total time, largest first. */
  async patterns(window: LogWindow): Promise<QueryPatternSummary[]> {
    const rows: Array<{
      query_hash: string;
      query_pattern: string;
      executions: string;
      total: string;
      avg: string;
      max: string;
      slow: string;
      last: Date;
    }> = await this.db.query(
      `SELECT q.query_hash, min(q.query_pattern) AS query_pattern, count(*)::text AS executions,
                sum(q.execution_time_ms)::text AS total, avg(q.execution_time_ms)::text AS avg, max(q.execution_time_ms)::text AS max,
                count(*) FILTER (WHERE q.is_slow_query)::text AS slow, max(q.executed_at) AS last
         FROM query_performance_log q
         WHERE q.executed_at >= $1 AND q.executed_at < $2 AND ($3::uuid IS NULL OR q.cache_strategy_id = $3)
         GROUP BY q.query_hash
         ORDER BY sum(q.execution_time_ms) DESC, q.query_hash
         LIMIT $4`,
      [window.from, window.to, window.strategyId ?? null, window.limit],
    );
    return rows.map((row) => ({
      queryHash: row.query_hash,
      queryPattern: row.query_pattern,
      executions: Number(row.executions),
      totalTimeMs: Math.round(Number(row.total) * 1000) / 1000,
      avgTimeMs: Math.round(Number(row.avg) * 1000) / 1000,
      maxTimeMs: Number(row.max),
      slowExecutions: Number(row.slow),
      lastExecutedAt: row.last.toISOString(),
    }));
  }

  /** One pattern's executions in the window, newest first. */
  async history(hash: string, window: LogWindow): Promise<QueryPerformanceEntry[]> {
    const rows: EntryRow[] = await this.db.query(
      `SELECT ${ENTRY_COLUMNS}
       FROM query_performance_log q LEFT JOIN cache_strategy cs ON cs.id = q.cache_strategy_id
       WHERE q.query_hash = $1 AND q.executed_at >= $2 AND q.executed_at < $3 AND ($4::uuid IS NULL OR q.cache_strategy_id = $4)
       ORDER BY q.executed_at DESC
       LIMIT $5`,
      [hash, window.from, window.to, window.strategyId ?? null, window.limit],
    );
    return rows.map(toEntry);
  }

  /**
   * Average time of logged queries since `since` whose plan used each of the named indexes (one scan of the
   * window for all of them); indexes no query used are absent.
   */
  async averageTimesUsingIndexes(indexNames: string[], since: Date): Promise<Map<string, number>> {
    if (indexNames.length === 0) return new Map();
    const rows: Array<{ name: string; avg: number }> = await this.db.query(
      `SELECT u.name, avg(q.execution_time_ms)::float8 AS avg
       FROM query_performance_log q CROSS JOIN LATERAL jsonb_array_elements_text(q.indexes_used) AS u(name)
       WHERE q.executed_at >= $1 AND q.used_index AND jsonb_typeof(q.indexes_used) = 'array' AND q.indexes_used ?| $2::text[]
         AND u.name = ANY($2::text[])
       GROUP BY u.name`,
      [since, indexNames],
    );
    return new Map(rows.map((row) => [row.name, Math.round(Number(row.avg) * 1000) / 1000]));
  }

  /**
   * Deletes rows executed before `cutoff`, `batchSize` per statement (short locks, bounded WAL per
   * statement), until none are left. Returns how many went.
   */
  async deleteOlderThan(cutoff: Date, batchSize: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [row] = await this.db.query(
        `WITH doomed AS (
           SELECT id FROM query_performance_log WHERE executed_at < $1 ORDER BY executed_at LIMIT $2
         ), gone AS (
           DELETE FROM query_performance_log q USING doomed WHERE q.id = doomed.id RETURNING 1
         )
         SELECT count(*)::int AS n FROM gone`,
        [cutoff, batchSize],
      );
      const n = Number(row?.n ?? 0);
      deleted += n;
      if (n < batchSize) return deleted;
    }
  }
}
