import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Cluster } from 'ioredis';
import type { DataSource } from 'typeorm';
import { parseSourceName } from '../datasources/source-name.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { parseInfo, sumNodeStats, toNodeStats } from '../redis-admin/redis-info.js';
import type { RedisMemorySnapshot } from './recommendation-rules.js';

export interface CompletedWarm {
  cacheStrategyId: string;
  seconds: number;
}

export interface DropCandidateRow {
  indexStrategyId: string;
  indexName: string;
  tableName: string;
  indexSizeBytes: number;
  totalScans: number;
}

/**
 * What the insights read from the other areas' tables (query-performance log, index strategies and their
 * usage statistics, warming jobs), the PostgreSQL catalog, and Redis's INFO — raw SQL, so this area does not
 * depend on the other areas' entity classes.
 */
@Injectable()
export class InsightsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /**
   * Slow executions without an index of one datasource's cold-fallback queries (the query API reading the source
   * table while the cache is cold) since `since`. Warming reads are left out: they read the whole table, and their
   * time includes waiting for the Redis writes.
   */
  async slowUnindexed(cacheStrategyId: string, since: Date): Promise<{ executions: number; avgTimeMs: number }> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS executions, COALESCE(avg(execution_time_ms), 0)::float8 AS avg
         FROM query_performance_log
        WHERE cache_strategy_id = $1 AND executed_at >= $2 AND is_slow_query AND NOT used_index
          AND application_context LIKE 'cold-fallback:%'`,
      [cacheStrategyId, since],
    )) as Array<{ executions: number; avg: number }>;
    return { executions: row?.executions ?? 0, avgTimeMs: row?.avg ?? 0 };
  }

  /**
   * Column lists of the indexes on a table: those in the catalog (the table named `schema.table`, unqualified =
   * public), and active index strategies (built or not yet) recorded under any of `tableNames`.
   */
  async indexColumns(table: string, tableNames: string[]): Promise<string[][]> {
    const parsed = parseSourceName(table);
    const catalog = (await this.db.query(
      `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE n.nspname = $1 AND c.relname = $2
        GROUP BY i.indexrelid`,
      [parsed?.schema ?? null, parsed?.table ?? null],
    )) as Array<{ columns: string[] }>;
    const strategies = (await this.db.query(
      `SELECT columns FROM index_strategy WHERE is_active AND table_name = ANY($1)`,
      [tableNames],
    )) as Array<{
      columns: unknown;
    }>;
    return [
      ...catalog.map((row) => row.columns),
      ...strategies.map((row) => (Array.isArray(row.columns) ? row.columns.map(String) : [])),
    ];
  }

  /** The latest statistics of each index the service built on these tables that is flagged for dropping (only those may be dropped). */
  async dropCandidates(tableNames: string[]): Promise<DropCandidateRow[]> {
    const rows = (await this.db.query(
      `SELECT latest.* FROM (
         SELECT DISTINCT ON (u.index_strategy_id)
                u.index_strategy_id AS "indexStrategyId", s.index_name AS "indexName", s.table_name AS "tableName",
                u.index_size_bytes::float8 AS "indexSizeBytes", u.total_scans::float8 AS "totalScans",
                u.is_recommended_for_drop AS flagged, u.is_primary AS "isPrimary", u.is_unique AS "isUnique"
           FROM index_usage_stats u
           JOIN index_strategy s ON s.id = u.index_strategy_id
          WHERE s.table_name = ANY($1) AND s.is_active AND s.is_created AND s.built_by_service
          ORDER BY u.index_strategy_id, u.stats_date DESC, u.last_analyzed DESC
       ) latest
       WHERE latest.flagged AND NOT latest."isPrimary" AND NOT latest."isUnique"
       ORDER BY latest."indexName"`,
      [tableNames],
    )) as Array<DropCandidateRow & { flagged: boolean; isPrimary: boolean; isUnique: boolean }>;
    return rows.map(({ indexStrategyId, indexName, tableName, indexSizeBytes, totalScans }) => ({
      indexStrategyId,
      indexName,
      tableName,
      indexSizeBytes,
      totalScans,
    }));
  }

  /** Whether an index strategy is still active and built (for the staleness check of a drop recommendation). */
  async indexStrategyBuilt(id: string): Promise<boolean> {
    const rows = (await this.db.query(`SELECT 1 FROM index_strategy WHERE id = $1 AND is_active AND is_created`, [
      id,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** Durations of the COMPLETED warms that finished in [from, to), per strategy (ms precision). */
  async completedWarms(from: Date, to: Date): Promise<CompletedWarm[]> {
    const rows = (await this.db.query(
      `SELECT cache_strategy_id AS "cacheStrategyId",
              COALESCE(EXTRACT(EPOCH FROM (completed_at - started_at)), duration_seconds, 0)::float8 AS seconds
         FROM cache_warming_job
        WHERE job_status = 'COMPLETED' AND completed_at >= $1 AND completed_at < $2`,
      [from, to],
    )) as CompletedWarm[];
    return rows;
  }

  /** Redis memory and evictions, summed over the masters of a cluster (maxBytes 0 when any master has no limit). */
  async redisMemory(): Promise<RedisMemorySnapshot> {
    const cluster = this.redis instanceof Cluster;
    const clients = cluster ? (this.redis as Cluster).nodes('master') : [this.redis];
    const nodes = await Promise.all(
      clients.map(async (client, i) => toNodeStats(String(i), parseInfo(await client.info()))),
    );
    const total = sumNodeStats(nodes, cluster ? 'cluster' : 'standalone');
    return { usedBytes: total.usedMemoryBytes, maxBytes: total.maxMemoryBytes, evictedKeys: total.evictedKeys };
  }
}
