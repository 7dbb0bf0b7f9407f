import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { describeSource } from '../datasources/source-columns.js';
import { SourceDatabase } from '../datasources/source-database.js';
import { quoteIdent, type SourceName } from '../datasources/source-name.js';
import { CacheKeys, type EntryCoordinates } from '../redis/redis-keys.js';
import { CopyTextParser, selectSql, SourceReader, type SourceTable } from './source-reader.js';

/** The reads of one incremental refresh, all inside one REPEATABLE READ snapshot of the source. */
export interface ChangeSession {
  /** The watermark column's max now (text as PostgreSQL prints it; null: empty table), and whether it is below `base`. */
  watermark(column: string, base: string | null): Promise<{ max: string | null; backwards: boolean }>;
  /** Groups with a row whose watermark column is past `since` minus `overlapSeconds` (a timestamp or date column). */
  changedSince(column: string, since: string, overlapSeconds: number): Promise<EntryCoordinates[]>;
  /**
   * Every group of the source with its number of rows, by groupField — one GROUP BY the four dimension columns, which
   * an index on them (the warming index) answers with an index-only scan.
   */
  groupCounts(): Promise<Map<string, number>>;
  /** The rows of these groups, as COPY text lines in entry order (EntryGrouper.addCopyLines); returns how many. */
  stream(groups: EntryCoordinates[], onRows: (lines: string[]) => Promise<void>): Promise<number>;
}

/** Column types whose watermark is a point in time: the safety overlap is subtracted as an interval. */
const TIME_TYPES = ['timestamptz', 'timestamp', 'date'];

/**
 * Reads what changed in a datasource's source (issue 15): its watermark, the groups changed since, the groups it has,
 * and the rows of chosen groups — never the whole table's rows. Same rules as SourceReader: only allowed tables, by
 * their quoted names, the mapped columns checked on the connection about to read.
 */
@Injectable()
export class ChangeReader {
  constructor(
    private readonly sources: SourceDatabase,
    private readonly reader: SourceReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async session<T>(
    source: SourceTable,
    work: (session: ChangeSession) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const client = await this.sources.connect();
    let broken: Error | undefined;
    const onConnectionError = (error: Error): void => {
      broken ??= error;
    };
    client.on('error', onConnectionError);
    // As in SourceReader.stream: an abort destroys the socket, which fails whatever statement waits on it.
    const abort = (): void =>
      void (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      if (signal?.aborted) throw signal.reason;
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET LOCAL lock_timeout = ${Math.trunc(this.config.warming.sourceLockTimeoutMs)}`);
      const table = await this.reader.checkedTable(client, source);
      const result = await work(await this.open(client, source, table));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      signal?.removeEventListener('abort', abort);
      client.off('error', onConnectionError);
      client.release(broken);
    }
  }

  private async open(client: PoolClient, source: SourceTable, table: SourceName): Promise<ChangeSession> {
    const c = source.columns;
    const dimensions = [c.measure, c.practice, c.provider, c.frequency];
    const dims = dimensions.map(quoteIdent);
    const described = await describeSource(client, table, dimensions);
    const types = dimensions.map((column) => described.columns.get(column)!.type);
    const timed = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> => {
      const started = performance.now();
      const { rows } = await client.query<R>(sql, params);
      this.reader.logQuery(source, 'warming', sql, params, started, rows.length);
      return rows;
    };
    const coordinates = (row: Array<string | null>): EntryCoordinates => ({
      measure: row[0] ?? '',
      practice: row[1] ?? '',
      provider: row[2] ?? '',
      frequency: row[3] ?? '',
    });
    const columnType = async (column: string): Promise<{ type: string; base: string }> => {
      const found = (await describeSource(client, table, [column])).columns.get(column);
      if (!found) throw new Error(`the watermark column ${column} no longer exists in ${table.qualified}`);
      return found;
    };
    return {
      watermark: async (column, base) => {
        const { type } = await columnType(column);
        const [row] = await timed<{ max: string | null; backwards: boolean | null }>(
          `SELECT max(${quoteIdent(column)})::text AS max, max(${quoteIdent(column)}) < $1::${type} AS backwards FROM ${table.sql}`,
          [base],
        );
        return { max: row.max, backwards: row.backwards === true };
      },
      changedSince: async (column, since, overlapSeconds) => {
        const { type, base } = await columnType(column);
        const bound = TIME_TYPES.includes(base)
          ? `$1::${type} - make_interval(secs => ${Math.trunc(overlapSeconds)})`
          : `$1::${type}`;
        const sql = `SELECT DISTINCT ${dims.map((d) => `${d}::text`).join(', ')} FROM ${table.sql} WHERE ${quoteIdent(column)} > ${bound}`;
        const started = performance.now();
        const { rows } = await client.query<Array<string | null>>({ text: sql, values: [since], rowMode: 'array' });
        this.reader.logQuery(source, 'warming', sql, [since], started, rows.length);
        return rows.map(coordinates);
      },
      groupCounts: async () => {
        const sql = `SELECT ${dims.map((d) => `${d}::text`).join(', ')}, count(*)::text FROM ${table.sql} GROUP BY ${dims.join(', ')}`;
        const started = performance.now();
        const { rows } = await client.query<Array<string | null>>({ text: sql, rowMode: 'array' });
        this.reader.logQuery(source, 'warming', sql, [], started, rows.length);
        return new Map(rows.map((row) => [CacheKeys.groupField(coordinates(row)), Number(row[4])]));
      },
      stream: async (groups, onRows) => {
        if (groups.length === 0) return 0;
        // COPY takes no parameters: the groups go in as literals, quoted by the driver and cast to the columns' types so
        // that the index on the dimension columns finds them.
        const literal = (value: string, i: number): string => `${client.escapeLiteral(value)}::${types[i]}`;
        const values = groups
          .map((g) => `(${[g.measure, g.practice, g.provider, g.frequency].map(literal).join(', ')})`)
          .join(', ');
        const where = `WHERE (${dims.join(', ')}) IN (VALUES ${values})`;
        const copySql = `COPY (${selectSql(source, table, where)}) TO STDOUT`;
        const started = performance.now();
        let streamed = 0;
        const parser = new CopyTextParser();
        for await (const chunk of client.query(copyTo(copySql)) as AsyncIterable<Buffer>) {
          const lines = parser.pushLines(chunk);
          streamed += lines.length;
          if (lines.length > 0) await onRows(lines);
        }
        const last = parser.endLines();
        streamed += last.length;
        if (last.length > 0) await onRows(last);
        this.reader.logQuery(source, 'warming', `COPY (... ${groups.length} groups ...)`, [], started, streamed);
        return streamed;
      },
    };
  }
}
