import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Cluster } from 'ioredis';
import type { DataSource } from 'typeorm';
import { parseSourceName } from '../datasources/source-name.js';
import { parseInfo } from '../redis-admin/redis-info.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { RedisKeys } from '../redis/redis-keys.js';

export interface TableFigures {
  /** Index scans per 100 scans; null when the table was never scanned (or does not exist). */
  indexScanRatio: number | null;
  /** pg_total_relation_size; null when the table does not exist. */
  totalBytes: number | null;
}

/** The Redis and PostgreSQL figures the alert evaluator reads beyond the analytics cache's own. */
@Injectable()
export class AlertMetricsRepository {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Numeric INFO fields summed over every master (one node outside a cluster). */
  async redisInfo(section: 'memory' | 'stats', fields: string[]): Promise<Record<string, number>> {
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    const totals: Record<string, number> = Object.fromEntries(fields.map((field) => [field, 0]));
    for (const node of nodes) {
      const values = parseInfo(await node.info(section))[section] ?? {};
      for (const field of fields) {
        const value = Number(values[field]);
        if (Number.isFinite(value)) totals[field] += value;
      }
    }
    return totals;
  }

  /**
   * Stores a cumulative counter's current value and returns the previous one with its time, so that a rate
   * "since the previous evaluation" holds across replicas (whichever one evaluates next).
   */
  async swapCounter(name: string, value: number, at: Date): Promise<{ value: number; at: Date } | null> {
    const key = RedisKeys.alertCounter(name);
    const previous = await this.redis.hgetall(key);
    await this.redis.hset(key, { value: String(value), at: at.toISOString() });
    await this.redis.expire(key, 7 * 86_400);
    return previous.value !== undefined && previous.at
      ? { value: Number(previous.value), at: new Date(previous.at) }
      : null;
  }

  /** FAILED warming jobs per cache strategy since `since`. */
  async warmingFailures(since: Date): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT cache_strategy_id AS id, count(*)::int AS failures FROM cache_warming_job
       WHERE job_status = 'FAILED' AND COALESCE(completed_at, created_at) >= $1 GROUP BY cache_strategy_id`,
      [since],
    )) as Array<{ id: string; failures: number }>;
    return new Map(rows.map((row) => [row.id, row.failures]));
  }

  /** Scan ratio and size of each table (names as the datasources give them, optionally schema-qualified). */
  async tableFigures(tables: string[]): Promise<Map<string, TableFigures>> {
    if (tables.length === 0) return new Map();
    // Looked up by the quoted, schema-qualified name: neither case folding nor search_path picks another table.
    const quoted = tables.map((table) => parseSourceName(table)?.sql ?? null);
    const rows = (await this.db.query(
      `SELECT t.name, c.oid IS NOT NULL AS found, s.seq_scan::float8 AS seq, s.idx_scan::float8 AS idx,
              CASE WHEN c.oid IS NULL THEN NULL ELSE pg_total_relation_size(c.oid)::float8 END AS bytes
       FROM unnest($1::text[], $2::text[]) AS t(name, quoted)
       LEFT JOIN LATERAL (SELECT to_regclass(t.quoted) AS oid) c ON true
       LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid`,
      [tables, quoted],
    )) as Array<{ name: string; found: boolean; seq: number | null; idx: number | null; bytes: number | null }>;
    return new Map(
      rows.map((row) => {
        const scans = (row.seq ?? 0) + (row.idx ?? 0);
        return [
          row.name,
          {
            indexScanRatio: row.found && scans > 0 ? ((row.idx ?? 0) / scans) * 100 : null,
            totalBytes: row.found ? row.bytes : null,
          },
        ];
      }),
    );
  }

  async connectionCount(): Promise<number> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`,
    )) as Array<{ n: number }>;
    return row.n;
  }

  /** Cumulative deadlocks of this database since the statistics were reset. */
  async deadlocks(): Promise<number> {
    const [row] = (await this.db.query(
      `SELECT deadlocks::float8 AS n FROM pg_stat_database WHERE datname = current_database()`,
    )) as Array<{ n: number }>;
    return row?.n ?? 0;
  }
}
