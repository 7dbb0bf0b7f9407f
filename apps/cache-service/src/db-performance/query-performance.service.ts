import { Injectable } from '@nestjs/common';
import type { QueryPatternSummary, QueryPerformanceEntry, QueryPerformanceWindowQuery } from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import { QUERY_HASH } from './query-normalizer.js';
import { QueryPerformanceRepository, type LogWindow } from './query-performance.repository.js';

const DAY_MS = 24 * 3_600_000;
const DEFAULT_LIMIT = 100;

/** Reads of the query performance log: slow queries, patterns by total time, one pattern's history. */
@Injectable()
export class QueryPerformanceService {
  constructor(private readonly log: QueryPerformanceRepository) {}

  slow(query: QueryPerformanceWindowQuery): Promise<QueryPerformanceEntry[]> {
    return this.log.slow(this.window(query));
  }

  patterns(query: QueryPerformanceWindowQuery): Promise<QueryPatternSummary[]> {
    return this.log.patterns(this.window(query));
  }

  /** Executions of one pattern, newest first; an unknown hash has none (an empty list, never 404). */
  history(hash: string, query: QueryPerformanceWindowQuery): Promise<QueryPerformanceEntry[]> {
    if (!QUERY_HASH.test(hash.toLowerCase())) throw AppError.invalidField('hash', 'hash must be 64 hexadecimal characters');
    return this.log.history(hash.toLowerCase(), this.window(query));
  }

  /** [from, to): default the 24 hours before now. */
  private window(query: QueryPerformanceWindowQuery): LogWindow {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
    if (Number.isNaN(to.getTime())) throw AppError.invalidField('to', 'to must be an ISO timestamp');
    if (Number.isNaN(from.getTime())) throw AppError.invalidField('from', 'from must be an ISO timestamp');
    if (from.getTime() >= to.getTime()) throw AppError.invalidField('from', 'from must be before to');
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw AppError.invalidField('limit', 'limit must be an integer from 1 to 500');
    return { from, to, datasourceId: query.datasourceId, limit };
  }
}
