import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { QueryPatternSummary, QueryPerformanceEntry, QueryPerformanceWindowQuery } from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import { parseWindow } from '../common/time-window.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { PeriodicTasks } from '../platform/periodic-tasks.js';
import { QUERY_HASH } from './query-normalizer.js';
import { QueryPerformanceRepository, type LogWindow } from './query-performance.repository.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DEFAULT_LIMIT = 100;
/** A read covers the last 24 hours unless asked otherwise, and at most 31 days. */
const DEFAULT_WINDOW_MS = DAY_MS;
const MAX_WINDOW_MS = 31 * DAY_MS;
/** Rows per DELETE statement of the retention task. */
const RETENTION_BATCH = 10_000;

/**
 * Reads of the query performance log (slow queries, patterns by total time, one pattern's history), and the
 * 'query-log-retention' task that keeps the log to QUERY_LOG_RETENTION_DAYS.
 */
@Injectable()
export class QueryPerformanceService implements OnModuleInit {
  private readonly logger = new Logger(QueryPerformanceService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly log: QueryPerformanceRepository,
    private readonly datasources: DatasourcesService,
    private readonly periodic: PeriodicTasks,
  ) {}

  onModuleInit(): void {
    this.periodic.register('query-log-retention', HOUR_MS, () => this.applyRetention());
  }

  async slow(query: QueryPerformanceWindowQuery): Promise<QueryPerformanceEntry[]> {
    return this.log.slow(await this.window(query));
  }

  async patterns(query: QueryPerformanceWindowQuery): Promise<QueryPatternSummary[]> {
    return this.log.patterns(await this.window(query));
  }

  /** Executions of one pattern, newest first; an unknown hash has none (an empty list, never 404). */
  async history(hash: string, query: QueryPerformanceWindowQuery): Promise<QueryPerformanceEntry[]> {
    if (!QUERY_HASH.test(hash.toLowerCase()))
      throw AppError.invalidField('hash', 'hash must be 64 hexadecimal characters');
    return this.log.history(hash.toLowerCase(), await this.window(query));
  }

  /** The retention task: deletes rows older than the retention period, in batches. Returns how many went. */
  async applyRetention(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.monitoring.queryLogRetentionDays * DAY_MS);
    const deleted = await this.log.deleteOlderThan(cutoff, RETENTION_BATCH);
    if (deleted > 0) this.logger.log(`query performance log: ${deleted} rows before ${cutoff.toISOString()} deleted`);
    return deleted;
  }

  /** [from, to): default the 24 hours before now, at most 31 days; an unknown datasourceId is 404. */
  private async window(query: QueryPerformanceWindowQuery): Promise<LogWindow> {
    const { from, to } = parseWindow(query, { defaultMs: DEFAULT_WINDOW_MS, maxMs: MAX_WINDOW_MS });
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw AppError.invalidField('limit', 'limit must be an integer from 1 to 500');
    const strategyId =
      query.datasourceId === undefined ? undefined : (await this.datasources.getEntity(query.datasourceId)).id;
    return { from, to, strategyId, limit };
  }
}
