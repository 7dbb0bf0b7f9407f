import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { SourceDatabase } from '../datasources/source-database.js';
import { quoteIdent, type SourceName } from '../datasources/source-name.js';

export interface TableColumn {
  name: string;
  /** format_type of the column, e.g. `text`, `timestamp with time zone`, `integer[]`. */
  type: string;
}

export interface IndexState {
  exists: boolean;
  valid: boolean;
  isUnique: boolean;
  isPrimary: boolean;
  /** The index backs a constraint (primary key, unique, exclusion): dropping it would drop the constraint. */
  backsConstraint: boolean;
  isExclusion: boolean;
  /** `schema.table` the index is on (null when it does not exist). */
  tableName: string | null;
}

export interface IndexUsageRow {
  scans: number;
  tuplesRead: number;
  tuplesFetched: number;
  sizeBytes: number;
  /** n_tup_ins + n_tup_upd + n_tup_del of the table: the writes every index of it has to follow. */
  tableWrites: number;
  isUnique: boolean;
  isPrimary: boolean;
  backsConstraint: boolean;
}

export interface ExistingIndex {
  indexName: string;
  definition: string;
  method: string;
  columns: string[];
  where: string | null;
  hasExpressions: boolean;
}

const BUILD_LOCK_NAMESPACE = 0x1dc5;

/** What may be done to one index while holding its build lock (all on the lock's connection). */
export interface BuildSession {
  state(): Promise<IndexState>;
  /** DROP INDEX CONCURRENTLY IF EXISTS, under the session's lock_timeout. */
  drop(): Promise<void>;
  /** Runs a `CREATE INDEX CONCURRENTLY` statement built by the service (never user text). */
  build(definition: string): Promise<void>;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

async function indexStateOn(client: Queryable, schema: string, indexName: string): Promise<IndexState> {
  const { rows } = await client.query(
    `SELECT i.indisvalid AS valid, i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indisexclusion AS is_exclusion,
            EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS backs_constraint,
            tn.nspname || '.' || tc.relname AS table_name
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, indexName],
  );
  const row = rows[0] as
    | {
        valid: boolean;
        is_unique: boolean;
        is_primary: boolean;
        is_exclusion: boolean;
        backs_constraint: boolean;
        table_name: string;
      }
    | undefined;
  if (!row)
    return {
      exists: false,
      valid: false,
      isUnique: false,
      isPrimary: false,
      backsConstraint: false,
      isExclusion: false,
      tableName: null,
    };
  return {
    exists: true,
    valid: row.valid,
    isUnique: row.is_unique,
    isPrimary: row.is_primary,
    backsConstraint: row.backs_constraint,
    isExclusion: row.is_exclusion,
    tableName: row.table_name,
  };
}

/**
 * Runs a CONCURRENTLY statement; when it gives up on its lock_timeout, the error names the open transactions of
 * the database (oldest first), which is what such a statement waits for, so an operator can find the holder in
 * pg_stat_activity. (Pids, states and ages only: query texts may carry data.)
 */
async function explainingLockTimeout(client: PoolClient, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if ((error as { code?: string }).code !== '55P03') throw error;
    const { rows } = await client
      .query<{ pid: number; state: string | null; seconds: number; application_name: string }>(
        `SELECT pid, state, floor(extract(epoch FROM now() - xact_start))::int AS seconds, application_name
         FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
         ORDER BY xact_start LIMIT 3`,
      )
      .catch(() => ({ rows: [] }));
    if (rows.length === 0) throw error;
    const holders = rows.map(
      (row) =>
        `pid ${row.pid} (${row.state ?? 'unknown state'}, transaction open ${row.seconds} s${row.application_name ? `, ${row.application_name}` : ''})`,
    );
    (error as Error).message +=
      ` — it waits for table locks and for every older transaction of the database; open transactions, oldest first: ${holders.join(', ')}`;
    throw error;
  }
}

/**
 * PostgreSQL's catalog and statistics for datasource tables, read through the source connection
 * (SOURCE_DATABASE_URL), and the index DDL, which needs the table owner's rights and runs on DATABASE_URL. Index
 * builds and drops run CONCURRENTLY, which PostgreSQL refuses inside a transaction: each gets a pooled connection
 * of its own.
 */
@Injectable()
export class IndexCatalogRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly source: SourceDatabase,
  ) {}

  /** Columns of a schema-qualified table, in order; null when the table does not exist. */
  async columnsOf({ schema, table }: SourceName): Promise<TableColumn[] | null> {
    const rows: Array<{ name: string; type: string }> = await this.source.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum`,
      [schema, table],
    );
    return rows.length === 0 ? null : rows;
  }

  /** Of the given columns, those whose type has no default operator class for the access method. */
  async columnsWithoutOpclass({ schema, table }: SourceName, method: string, columns: string[]): Promise<string[]> {
    const rows: Array<{ name: string; supported: boolean }> = await this.source.query(
      `WITH cols AS (
         SELECT a.attname AS name, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END AS typ
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_type t ON t.oid = a.atttypid
         WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($4::text[])
       )
       SELECT cols.name, EXISTS (
         SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod JOIN pg_type t ON t.oid = cols.typ
         WHERE am.amname = $3 AND oc.opcdefault AND (
           oc.opcintype = cols.typ
           OR (oc.opcintype = 'anyarray'::regtype AND t.typcategory = 'A')
           OR (oc.opcintype = 'anyrange'::regtype AND t.typtype = 'r')
           OR (oc.opcintype = 'anymultirange'::regtype AND t.typtype = 'm')
           OR (oc.opcintype = 'anyenum'::regtype AND t.typtype = 'e')
           OR EXISTS (SELECT 1 FROM pg_cast k WHERE k.castsource = cols.typ AND k.casttarget = oc.opcintype AND k.castmethod = 'b' AND k.castcontext = 'i'))
       ) AS supported
       FROM cols`,
      [schema, table, method, columns],
    );
    return rows.filter((row) => !row.supported).map((row) => row.name);
  }

  /** Whether any relation (index, table, sequence…) of that name exists in the schema: an index could not take it. */
  async relationExists(schema: string, name: string): Promise<boolean> {
    const [row] = await this.source.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [
      `${quoteIdent(schema)}.${quoteIdent(name)}`,
    ]);
    return Boolean(row?.found);
  }

  /** The index as it is now (outside the build lock: a build in progress shows as invalid). */
  async indexState(schema: string, indexName: string): Promise<IndexState> {
    return indexStateOn(
      { query: async (sql, params) => ({ rows: await this.source.query(sql, params) }) },
      schema,
      indexName,
    );
  }

  /**
   * Runs `fn` holding the index's build lock: a session advisory lock (keyed by schema and index name) on a
   * connection of its own, which `fn` gets as a `BuildSession`. Every build and drop of a managed index goes
   * through here, so inspecting, dropping a leftover, building and checking the result happen without another
   * replica, request or task doing the same in between. `{ locked: false }` when someone else holds the lock.
   * The connection is never inside a transaction: CREATE INDEX CONCURRENTLY refuses one, and it would wait for
   * any transaction of the caller that stayed open.
   */
  async withIndexLock<T>(
    schema: string,
    indexName: string,
    lockTimeoutMs: number,
    fn: (session: BuildSession) => Promise<T>,
  ): Promise<{ locked: true; result: T } | { locked: false }> {
    const lockKey = `${schema}.${indexName}`;
    return this.onOwnConnection(async (client) => {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked`,
        [BUILD_LOCK_NAMESPACE, lockKey],
      );
      if (!rows[0]?.locked) return { locked: false as const };
      try {
        await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
        await client.query('SET statement_timeout = 0');
        const session: BuildSession = {
          state: () => indexStateOn(client, schema, indexName),
          drop: () =>
            explainingLockTimeout(client, () =>
              client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(schema)}.${quoteIdent(indexName)}`),
            ),
          build: (definition: string) => explainingLockTimeout(client, () => client.query(definition)),
        };
        return { locked: true as const, result: await fn(session) };
      } finally {
        // A failure here discards the connection (onOwnConnection), which ends the session and its lock.
        await client.query('RESET lock_timeout; RESET statement_timeout');
        await client.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [BUILD_LOCK_NAMESPACE, lockKey]);
      }
    });
  }

  /**
   * Type-checks a rendered partial-index predicate against the table without running anything:
   * `EXPLAIN SELECT 1 FROM table WHERE predicate` in a read-only transaction under a short statement timeout.
   * Returns PostgreSQL's complaint, or null when the predicate is fine.
   */
  async predicateProblem(table: SourceName, where: string, timeoutMs: number): Promise<string | null> {
    try {
      await this.source.readOnly(timeoutMs, (client) =>
        client.query(`EXPLAIN SELECT 1 FROM ${table.sql} WHERE ${where}`),
      );
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Every index of a table, as PostgreSQL describes it. */
  async indexesOf({ schema, table }: SourceName): Promise<ExistingIndex[]> {
    const rows: Array<{
      index_name: string;
      definition: string;
      method: string;
      columns: string[];
      where_clause: string | null;
      has_expressions: boolean;
    }> = await this.source.query(
      `SELECT ic.relname AS index_name, pg_get_indexdef(i.indexrelid) AS definition, am.amname AS method,
                ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS columns,
                pg_get_expr(i.indpred, i.indrelid) AS where_clause, i.indexprs IS NOT NULL AS has_expressions
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace n ON n.oid = tc.relnamespace
         JOIN pg_am am ON am.oid = ic.relam
         WHERE n.nspname = $1 AND tc.relname = $2 AND i.indisvalid
         ORDER BY ic.relname`,
      [schema, table],
    );
    return rows.map((row) => ({
      indexName: row.index_name,
      definition: row.definition,
      method: row.method,
      columns: row.columns,
      where: row.where_clause,
      hasExpressions: row.has_expressions,
    }));
  }

  /** When this database's cumulative statistics were last reset (null: never). Scan counts start there. */
  async statsResetAt(): Promise<Date | null> {
    const [row] = await this.source.query<{ stats_reset: Date | null }>(
      `SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()`,
    );
    return row?.stats_reset ? new Date(row.stats_reset) : null;
  }

  /** Cumulative statistics of one index (null when it does not exist). */
  async usageOf(schema: string, indexName: string): Promise<IndexUsageRow | null> {
    const [row] = await this.source.query<{
      scans: string;
      tuples_read: string;
      tuples_fetched: string;
      size_bytes: string;
      table_writes: string;
      is_unique: boolean;
      is_primary: boolean;
      backs_constraint: boolean;
    }>(
      `SELECT s.idx_scan::text AS scans, s.idx_tup_read::text AS tuples_read, s.idx_tup_fetch::text AS tuples_fetched,
              pg_relation_size(s.indexrelid)::text AS size_bytes,
              (coalesce(t.n_tup_ins, 0) + coalesce(t.n_tup_upd, 0) + coalesce(t.n_tup_del, 0))::text AS table_writes,
              i.indisunique AS is_unique, i.indisprimary AS is_primary,
              EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS backs_constraint
       FROM pg_stat_user_indexes s
       JOIN pg_index i ON i.indexrelid = s.indexrelid
       LEFT JOIN pg_stat_user_tables t ON t.relid = s.relid
       WHERE s.schemaname = $1 AND s.indexrelname = $2`,
      [schema, indexName],
    );
    if (!row) return null;
    return {
      scans: Number(row.scans),
      tuplesRead: Number(row.tuples_read),
      tuplesFetched: Number(row.tuples_fetched),
      sizeBytes: Number(row.size_bytes),
      tableWrites: Number(row.table_writes),
      isUnique: row.is_unique,
      isPrimary: row.is_primary,
      backsConstraint: row.backs_constraint,
    };
  }

  private async onOwnConnection<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const pool = (this.db.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      // A failed RESET would leave settings behind on a pooled connection: such a connection is discarded.
      broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
