import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg, { type Pool, type PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { classifyFailure, requestValueError } from '../common/infrastructure-errors.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { redactUrl } from '../common/redact-url.js';

/** Seconds a reader refused for lack of a slot is told to wait: fallbacks are short (SOURCE_QUERY_TIMEOUT_MS at most). */
const BUSY_RETRY_AFTER_SECONDS = 1;
/** A fallback waits at most this long for a connection of its pool before it is refused as busy. */
const READER_CONNECT_TIMEOUT_MS = 2_000;

const sourceBusy = (reason: string): AppError =>
  AppError.retryLater(
    'SOURCE_BUSY',
    `The source database is busy (${reason}); retry shortly or read warmed data`,
    BUSY_RETRY_AFTER_SECONDS,
  );

/**
 * What a failure of a cold fallback means for the reader (the common reading, classifyFailure, plus this context):
 * its statement timeout and a full pool are load being shed (503 SOURCE_TIMEOUT / SOURCE_BUSY with Retry-After); a
 * datasource that no longer fits its table (gone, a column gone, a column whose type cannot be sorted or compared)
 * is the datasource's state (409 CONFLICT); a table the source role may not read, 403; a filter value PostgreSQL
 * refuses, the request's (400). Anything else (an outage, a bug) goes to the exception filter as it is.
 */
export function mapSourceReadError(error: unknown, queryTimeoutMs: number): unknown {
  if (error instanceof AppError) return error;
  const failure = classifyFailure(error);
  switch (failure?.kind) {
    case 'timeout': {
      const seconds = queryTimeoutMs / 1000;
      return AppError.retryLater(
        'SOURCE_TIMEOUT',
        `The database fallback took longer than ${seconds} s and was stopped; narrow the query or retry once the cache is warm`,
        seconds,
      );
    }
    case 'busy':
      return sourceBusy('no connection available');
    case 'mismatch':
      return AppError.conflict(
        `The datasource no longer matches its source table: ${failure.message}; fix its sourceTable or columnMapping`,
        {
          sqlState: failure.sqlState,
        },
      );
    case 'forbidden':
      return new AppError('SOURCE_NOT_ALLOWED', `The source role may not read this table: ${failure.message}`);
    case 'invalid_value':
      return requestValueError(error, 'query') ?? error;
    default:
      return error;
  }
}

const guardedClients = new WeakSet<object>();

/**
 * pg-pool takes its own error listener off a connection while it is checked out, and pg emits 'error' on a connection
 * whose server goes away even when a query in flight gets the same error: without a listener of ours, PostgreSQL
 * stopping while a connection is checked out (a fallback, an EXPLAIN, an index scan) would end the process. The failed
 * query still rejects, and the caller releases the connection as broken.
 */
export function guardCheckedOutConnections(pool: Pool): void {
  const guard = (client: PoolClient): void => {
    if (guardedClients.has(client)) return;
    guardedClients.add(client);
    client.on('error', () => undefined);
  };
  pool.on('connect', guard);
  pool.on('acquire', guard);
}

/** Runs `fn` in a read-only transaction on `client` under a statement timeout, then releases it (discarded if broken). */
async function readOnlyOn<T>(
  client: PoolClient,
  timeoutMs: number,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollback: Error) => {
      broken = rollback;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * The connections sources are read through (SOURCE_DATABASE_URL, DATABASE_URL when unset):
 * - the work pool: warming's count and COPY, catalog checks, EXPLAIN, index discovery and statistics. With no
 *   separate URL it is the metadata pool, as before (warming keeps its pool and timeouts); with one, a pool of
 *   its own on that role.
 * - the readers pool: the query API's cold fallbacks only, small (SOURCE_QUERY_POOL_SIZE), every statement under
 *   SOURCE_QUERY_TIMEOUT_MS, at most SOURCE_QUERY_MAX_CONCURRENT at once per process. Analytics readers can fill
 *   it, never the pools the service's own queries and warming use.
 * Index builds and drops are DDL and stay on DATABASE_URL's role (CREATE INDEX needs the table's owner).
 */
@Injectable()
export class SourceDatabase implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SourceDatabase.name);
  private readonly separate: boolean;
  private ownWork: Pool | null = null;
  private readonly readers: Pool;
  private inFlight = 0;
  private spareInUse = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    this.separate = config.sources.databaseUrl !== config.database.url;
    const timeout = config.sources.queryTimeoutMs;
    this.readers = new pg.Pool({
      connectionString: config.sources.databaseUrl,
      max: config.sources.queryPoolSize,
      connectionTimeoutMillis: READER_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 10_000,
      statement_timeout: timeout,
      // Backstop should the server never answer (a stalled network): the statement timeout is the real bound.
      query_timeout: timeout + 5_000,
      application_name: 'cache-command-center:cold-fallback',
    });
    // An idle connection the server closed must not crash the process; the pool replaces it.
    this.readers.on('error', () => undefined);
    guardCheckedOutConnections(this.readers);
    // The service's own pool too: index statistics and builds check connections out of it directly.
    guardCheckedOutConnections((db.driver as unknown as { master: Pool }).master);
  }

  /**
   * Refuses a SOURCE_SCHEMAS that names the service's own schema (where DATABASE_URL's migrations put its tables),
   * and a SOURCE_DATABASE_URL on another database (index builds run on DATABASE_URL, so both must see the same tables).
   */
  async onModuleInit(): Promise<void> {
    const [own] = (await this.db.query(
      `SELECT current_schema() AS current, current_database() AS database,
              (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('cache_strategy')) AS tables`,
    )) as Array<{ current: string | null; database: string; tables: string | null }>;
    const ownSchemas = new Set(
      [own.current, own.tables].filter((name): name is string => Boolean(name)).map((name) => name.toLowerCase()),
    );
    const clash = this.config.sources.schemas.filter((schema) => ownSchemas.has(schema.toLowerCase()));
    if (clash.length > 0) {
      throw new Error(
        `SOURCE_SCHEMAS must not include ${clash.join(', ')}: that schema holds the service's own tables (users, API keys, audit). List only the schemas of the analytics source tables.`,
      );
    }
    if (!this.separate) return;
    const [source] = (await this.work().query(`SELECT current_database() AS database, current_user AS role`))
      .rows as Array<{ database: string; role: string }>;
    if (source.database !== own.database) {
      throw new Error(
        `SOURCE_DATABASE_URL (${redactUrl(this.config.sources.databaseUrl)}) reaches database ${source.database}, DATABASE_URL reaches ${own.database}: point both at the same database (a read-only role for sources)`,
      );
    }
    if (own.tables) {
      const [reach] = (
        await this.work().query(
          `SELECT has_table_privilege(format('%I.%I', $1::text, 'app_user'), 'SELECT') AS readable`,
          [own.tables],
        )
      ).rows as Array<{
        readable: boolean;
      }>;
      if (reach?.readable) {
        this.logger.warn(
          `SOURCE_DATABASE_URL's role ${source.role} can read the service's own tables; grant it SELECT on the source schemas only`,
        );
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readers.end().catch(() => undefined);
    await this.ownWork?.end().catch(() => undefined);
  }

  /** Rows of one statement on the work pool. */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.work().query(sql, params)).rows as T[];
  }

  /** A connection of the work pool for several statements (a transaction, a COPY); `release(error)` discards it. */
  connect(): Promise<PoolClient> {
    return this.work().connect();
  }

  /** Runs `fn` in a read-only transaction on the work pool under a statement timeout (predicate checks). */
  async readOnly<T>(timeoutMs: number, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return readOnlyOn(await this.connect(), timeoutMs, fn);
  }

  /**
   * The same on a connection of the readers' pool — only when the cold fallbacks leave one spare right now: it never
   * waits in line for a connection, never takes a fallback's slot (a fallback is not refused because of it), and
   * runs one at a time per process. Null when skipped. For work that may be skipped, off any request's path: the
   * query-performance log's EXPLAINs, which would otherwise run on the work pool — without SOURCE_DATABASE_URL, the
   * service's own pool — once per new query pattern the analytics readers cause.
   */
  async withSpareReader<T>(timeoutMs: number, fn: (client: PoolClient) => Promise<T>): Promise<T | null> {
    const busy = this.inFlight >= Math.min(this.config.sources.queryPoolSize, this.config.sources.queryMaxConcurrent);
    if (this.spareInUse || busy || this.readers.waitingCount > 0) return null;
    this.spareInUse = true;
    try {
      return await readOnlyOn(await this.readers.connect(), timeoutMs, fn);
    } finally {
      this.spareInUse = false;
    }
  }

  /**
   * Runs one cold fallback on the readers pool: 503 SOURCE_BUSY with Retry-After when this process already runs
   * SOURCE_QUERY_MAX_CONCURRENT of them or no connection frees up within 2 s; 503 SOURCE_TIMEOUT when the
   * statement timeout ends it. Never waits in line behind other readers for long, never holds a connection longer
   * than the timeout.
   */
  async withReader<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const limit = this.config.sources.queryMaxConcurrent;
    if (this.inFlight >= limit) throw sourceBusy(`${limit} database fallbacks are already running in this process`);
    this.inFlight++;
    try {
      let client: PoolClient;
      try {
        client = await this.readers.connect();
      } catch (error) {
        throw mapSourceReadError(error, this.config.sources.queryTimeoutMs);
      }
      let broken: Error | undefined;
      try {
        return await fn(client);
      } catch (error) {
        broken = error as Error;
        throw mapSourceReadError(error, this.config.sources.queryTimeoutMs);
      } finally {
        // A timed-out or failed connection may be mid-protocol: it is discarded rather than reused.
        client.release(broken);
      }
    } finally {
      this.inFlight--;
    }
  }

  private work(): Pool {
    if (!this.separate) return (this.db.driver as unknown as { master: Pool }).master;
    if (!this.ownWork) {
      this.ownWork = new pg.Pool({
        connectionString: this.config.sources.databaseUrl,
        max: this.config.warming.concurrency + 3,
        connectionTimeoutMillis: 5_000,
        application_name: 'cache-command-center:sources',
      });
      this.ownWork.on('error', () => undefined);
      guardCheckedOutConnections(this.ownWork);
    }
    return this.ownWork;
  }
}
