import { StringDecoder } from 'node:string_decoder';
import { Inject, Injectable } from '@nestjs/common';
import type { ColumnMapping } from '@ccc/shared-types';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { sourceProblem } from '../datasources/source-columns.js';
import { SourceDatabase } from '../datasources/source-database.js';
import { quoteIdent, type SourceName } from '../datasources/source-name.js';
import { SourcePolicy } from '../datasources/source-policy.js';

/** One source row as PostgreSQL's COPY text format gives it: every column as text, nothing parsed. */
export interface SourceRow {
  measure: string;
  practice: string;
  provider: string;
  frequency: string;
  period: string;
  /** Numeric text exactly as PostgreSQL printed it, or null. */
  value: string | null;
}

export interface SourceTable {
  table: string;
  columns: ColumnMapping;
  /** The datasource reading it, for the query performance log. */
  datasourceId?: number;
  strategyId?: string;
  /**
   * SourcePolicy.allowedName(table), when the caller has it already (the query API keeps it with the datasource it
   * caches, so a request does not parse the name again); null: outside SOURCE_SCHEMAS.
   */
  allowed?: SourceName | null;
}

export interface SourceFilter {
  measure?: string;
  practice?: string;
  provider?: string;
  frequency?: string;
}

/** The select list and order shared by warming and the cold-cache fallback: entry by entry, periods in order. */
export function selectSql(source: SourceTable, table: SourceName, where = ''): string {
  const c = source.columns;
  const dims = [c.measure, c.practice, c.provider, c.frequency].map(quoteIdent);
  return `SELECT ${dims.map((d) => `${d}::text`).join(', ')}, ${quoteIdent(c.period)}::text, ${quoteIdent(c.value)}::text
          FROM ${table.sql} ${where}
          ORDER BY ${[...dims, quoteIdent(c.period)].join(', ')}`;
}

// COPY TO's text format writes NULL as \N and escapes backslash and the control characters below.
const COPY_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const unescapeCopy = (field: string): string =>
  field.includes('\\') ? field.replace(/\\(.)/g, (_, ch: string) => COPY_ESCAPES[ch] ?? ch) : field;
// A NULL dimension or period reads as '', exactly as the cold-cache fallback (select) maps it.
const copyText = (field: string): string => (field === '\\N' ? '' : unescapeCopy(field));

/** One line of COPY TO's text format (the select list of selectSql) as a source row. */
export function parseCopyLine(line: string): SourceRow {
  const f = line.split('\t');
  // Escapes and NULL (\N) both start with a backslash: a line without one (nearly all) is taken as it is.
  if (line.indexOf('\\') === -1)
    return { measure: f[0], practice: f[1], provider: f[2], frequency: f[3], period: f[4], value: f[5] };
  return {
    measure: copyText(f[0]),
    practice: copyText(f[1]),
    provider: copyText(f[2]),
    frequency: copyText(f[3]),
    period: copyText(f[4]),
    value: f[5] === '\\N' ? null : f[5],
  };
}

/**
 * Splits COPY output chunks into rows. Chunks end anywhere, even inside a multi-byte UTF-8 character:
 * the StringDecoder holds an incomplete character back until the next chunk completes it.
 */
export class CopyTextParser {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  /** Rows completed by this chunk. */
  push(chunk: Buffer): SourceRow[] {
    return this.pushLines(chunk).map(parseCopyLine);
  }

  /** The last row, once the stream has ended. */
  end(): SourceRow[] {
    return this.endLines().map(parseCopyLine);
  }

  /** Lines (rows, unparsed) completed by this chunk. */
  pushLines(chunk: Buffer): string[] {
    const lines = (this.rest + this.decoder.write(chunk)).split('\n');
    this.rest = lines.pop() ?? '';
    return lines;
  }

  /** The last line, once the stream has ended. */
  endLines(): string[] {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    return last ? [last] : [];
  }
}

/** One query the service sent to a datasource. */
export interface QueryExecution {
  sql: string;
  params?: unknown[];
  datasourceId: number | null;
  strategyId: string | null;
  /** Schema-qualified source table the query reads. */
  table: string;
  context: 'warming' | 'cold-fallback';
  executionTimeMs: number;
  rowsReturned: number;
}

/**
 * Reads datasource rows from PostgreSQL without holding them all in memory, only from tables in SOURCE_SCHEMAS
 * (checked at every read, not only when the datasource was saved) and only by their schema-qualified, quoted name.
 */
@Injectable()
export class SourceReader {
  private readonly queryListeners: Array<(execution: QueryExecution) => void> = [];

  constructor(
    private readonly sources: SourceDatabase,
    private readonly policy: SourcePolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Calls `listener` with every query sent to a source (db-performance records them). */
  onQuery(listener: (execution: QueryExecution) => void): void {
    this.queryListeners.push(listener);
  }

  /** The table a datasource reads, or 403 SOURCE_NOT_ALLOWED (a row saved before the allow-list, or a schema taken off it). */
  allowedTable(source: SourceTable): SourceName {
    const name = source.allowed !== undefined ? source.allowed : this.policy.allowedName(source.table);
    if (!name) throw this.policy.notAllowed(source.table, 'sourceTable');
    return name;
  }

  /**
   * The same by the catalog, on the connection about to read it (one query): a table or view, still there, its mapped
   * columns still there and of types the read can use (409 CONFLICT naming the columnMapping fields otherwise).
   */
  async checkedTable(client: PoolClient, source: SourceTable): Promise<SourceName> {
    const name = this.allowedTable(source);
    const problem = await sourceProblem(client, name, source.columns);
    if (problem) {
      throw AppError.conflict(`The datasource's source cannot be read: ${problem.message}`, {
        sourceTable: name.qualified,
        ...(problem.fields.length > 0
          ? { fields: problem.fields.map(({ field, message }) => ({ field, messages: [message] })) }
          : {}),
      });
    }
    return name;
  }

  logQuery(
    source: SourceTable,
    context: 'warming' | 'cold-fallback',
    sql: string,
    params: unknown[],
    started: number,
    rowsReturned: number,
  ): void {
    const executionTimeMs = performance.now() - started;
    const execution: QueryExecution = {
      sql,
      params,
      datasourceId: source.datasourceId ?? null,
      strategyId: source.strategyId ?? null,
      table: source.table,
      context,
      executionTimeMs,
      rowsReturned,
    };
    for (const listener of this.queryListeners) listener(execution);
  }

  /**
   * Counts the rows, then streams them with COPY, both inside one REPEATABLE READ snapshot so the count
   * and the rows agree even while the source is being written to. Rows come as lines of COPY's text format
   * (parseCopyLine reads one; EntryGrouper.addCopyLines groups them without parsing each into an object).
   */
  async stream(
    source: SourceTable,
    onCount: (rows: number) => Promise<void>,
    onRows: (lines: string[]) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    const table = this.allowedTable(source);
    const client = await this.sources.connect();
    let broken: Error | undefined;
    // A connection lost mid-stream also surfaces as the stream's error; the event only needs a listener.
    const onConnectionError = (error: Error): void => {
      broken ??= error;
    };
    client.on('error', onConnectionError);
    // Aborted (a stalled warm): the socket is destroyed, which fails the statement waiting on it even when the
    // server is unreachable (a cancel request or a ROLLBACK would wait on the same dead path).
    const abort = (): void =>
      void (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      if (signal?.aborted) throw signal.reason;
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // A warm that waits for a lock on the source (e.g. a migration holding ACCESS EXCLUSIVE) fails, and is
      // retried later, rather than holding its worker and the datasource's warming lock for as long as that lasts.
      await client.query(`SET LOCAL lock_timeout = ${Math.trunc(this.config.warming.sourceLockTimeoutMs)}`);
      await this.checkedTable(client, source);
      const countSql = `SELECT count(*)::text AS count FROM ${table.sql}`;
      let started = performance.now();
      const { rows } = await client.query<{ count: string }>(countSql);
      this.logQuery(source, 'warming', countSql, [], started, rows.length);
      await onCount(Number(rows[0].count));
      const copySql = `COPY (${selectSql(source, table)}) TO STDOUT`;
      started = performance.now();
      let streamed = 0;
      const stream = client.query(copyTo(copySql));
      const parser = new CopyTextParser();
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const rows = parser.pushLines(chunk);
        streamed += rows.length;
        if (rows.length > 0) await onRows(rows);
      }
      const last = parser.endLines();
      streamed += last.length;
      if (last.length > 0) await onRows(last);
      // The time the COPY took from start to end of stream (it includes waiting for the consumer).
      this.logQuery(source, 'warming', copySql, [], started, streamed);
      await client.query('COMMIT');
    } catch (error) {
      // Never ROLLBACK here: after an abort mid-COPY it would queue behind the unfinished COPY forever.
      // Destroying the connection ends the COPY and rolls the transaction back on the server.
      broken = error as Error;
      throw error;
    } finally {
      signal?.removeEventListener('abort', abort);
      client.off('error', onConnectionError);
      client.release(broken);
    }
  }

  /** PostgreSQL's own estimate of a table's rows (no scan), for the duration estimate of a first warm; 0 when it may not be read. */
  async estimateRows(table: string): Promise<number> {
    const name = this.policy.allowedName(table);
    if (!name) return 0;
    const [row] = await this.sources.query<{ n: string }>(
      `SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`,
      [name.sql],
    );
    return Number(row?.n ?? 0);
  }

  /**
   * The cold-cache fallback: the same rows, filtered in SQL (parameters, never interpolated values). Returns
   * at most maxRows + 1 rows: more than maxRows means the result was cut and must not be served. Runs on the
   * readers' own pool under its statement timeout and concurrency cap (SourceDatabase.withReader).
   */
  async select(source: SourceTable, filter: SourceFilter, maxRows: number): Promise<SourceRow[]> {
    this.allowedTable(source);
    const c = source.columns;
    const conditions: string[] = [];
    const params: string[] = [];
    for (const [dimension, column] of [
      ['measure', c.measure],
      ['practice', c.practice],
      ['provider', c.provider],
      ['frequency', c.frequency],
    ] as const) {
      const value = filter[dimension];
      if (value !== undefined) {
        params.push(value);
        conditions.push(`${quoteIdent(column)}::text = $${params.length}`);
      }
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    return this.sources.withReader(async (client) => {
      const table = await this.checkedTable(client, source);
      const sql = `${selectSql(source, table, where)} LIMIT ${maxRows + 1}`;
      const started = performance.now();
      // Rows as arrays: the six columns in select-list order, whatever the source calls them.
      const { rows } = await client.query<Array<string | null>>({ text: sql, values: params, rowMode: 'array' });
      this.logQuery(source, 'cold-fallback', sql, params, started, rows.length);
      return rows.map((values) => ({
        measure: values[0] ?? '',
        practice: values[1] ?? '',
        provider: values[2] ?? '',
        frequency: values[3] ?? '',
        period: values[4] ?? '',
        value: values[5],
      }));
    });
  }
}
