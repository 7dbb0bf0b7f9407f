import type { AnalyticsQuery } from '@ccc/shared-types';
import { CacheKeys, type EntryCoordinates } from '../redis/redis-keys.js';
import type { EntryToWrite, QueryPlan } from './cache.repository.js';
import type { SourceRow } from './source-reader.js';

// Control characters are exactly what JSON must escape, so the pattern names them on purpose.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/**
 * Rows of one entry as `[["2026-10-31",123.45],…]`: no repeated column names, and numbers copied as the
 * text PostgreSQL printed, so warming never parses a value and the query path never re-encodes one.
 */
export function encodeRows(rows: SourceRow[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const { period, value } = rows[i];
    const periodJson = NEEDS_ESCAPE.test(period) ? JSON.stringify(period) : `"${period}"`;
    const valueJson = value !== null && NUMERIC.test(value) ? value : 'null';
    parts[i] = `[${periodJson},${valueJson}]`;
  }
  return `[${parts.join(',')}]`;
}

export interface GroupingTotals {
  rows: number;
  entries: number;
  bytes: number;
  measures: Set<string>;
  practices: Set<string>;
  providers: Set<string>;
  frequencies: Set<string>;
}

// Redis keeps ~50 bytes of bookkeeping per key and ~16 per set member beyond the strings themselves.
const KEY_OVERHEAD = 50;
const MEMBER_OVERHEAD = 16;

/** Turns rows sorted by entry into entries; rows of one entry must be consecutive (the warming query orders them). */
export class EntryGrouper {
  readonly totals: GroupingTotals = {
    rows: 0,
    entries: 0,
    bytes: 0,
    measures: new Set(),
    practices: new Set(),
    providers: new Set(),
    frequencies: new Set(),
  };
  private current: SourceRow[] = [];
  private currentKey = '';

  constructor(private readonly keyLength: number) {}

  /** Adds rows; returns the entries they completed. */
  add(rows: SourceRow[]): EntryToWrite[] {
    const done: EntryToWrite[] = [];
    for (const row of rows) {
      const key = `${row.measure}\u0000${row.practice}\u0000${row.provider}\u0000${row.frequency}`;
      if (key !== this.currentKey && this.current.length > 0) done.push(this.flushCurrent());
      this.currentKey = key;
      this.current.push(row);
    }
    return done;
  }

  /** The last entry, once the source is exhausted. */
  finish(): EntryToWrite[] {
    return this.current.length > 0 ? [this.flushCurrent()] : [];
  }

  private flushCurrent(): EntryToWrite {
    const rows = this.current;
    this.current = [];
    const first = rows[0];
    const coordinates: EntryCoordinates = {
      measure: first.measure,
      practice: first.practice,
      provider: first.provider,
      frequency: first.frequency,
    };
    const suffix = CacheKeys.entrySuffix(coordinates);
    const value = encodeRows(rows);
    const t = this.totals;
    t.rows += rows.length;
    t.entries += 1;
    t.bytes += this.keyLength + suffix.length + value.length + KEY_OVERHEAD + 5 * (suffix.length + MEMBER_OVERHEAD);
    t.measures.add(first.measure);
    t.practices.add(first.practice);
    t.providers.add(first.provider);
    t.frequencies.add(first.frequency);
    return { suffix, coordinates, value };
  }
}

/** Chooses the cheapest read: a direct key when every dimension is given, else the smallest index sets. */
export function planQuery(query: AnalyticsQuery): QueryPlan {
  const { measure, practice, provider, frequency } = query;
  if (measure !== undefined && practice !== undefined && provider !== undefined && frequency !== undefined) {
    return { mode: 'key', suffix: CacheKeys.entrySuffix({ measure, practice, provider, frequency }) };
  }
  const sets: string[] = [];
  const s = CacheKeys.indexSuffixes;
  if (measure !== undefined)
    sets.push(frequency !== undefined ? s.measureFrequency(measure, frequency) : s.measure(measure));
  if (practice !== undefined) sets.push(s.practice(practice));
  if (provider !== undefined) sets.push(s.provider(provider));
  if (sets.length === 0) sets.push(s.master());
  const suffixFilter =
    measure === undefined && frequency !== undefined ? `:freq:${CacheKeys.escapePart(frequency)}` : '';
  return { mode: 'sets', sets, suffixFilter };
}

const jsonString = (value: string): string => JSON.stringify(value);

/** The query response as text, splicing each stored entry value in unchanged. */
export function spliceQueryResponse(
  datasourceId: number,
  source: 'cache' | 'database',
  generation: number | null,
  entries: Array<{ coordinates: EntryCoordinates; value: string }>,
): string {
  const items = entries.map(
    ({ coordinates: c, value }) =>
      `{"measure":${jsonString(c.measure)},"practice":${jsonString(c.practice)},"provider":${jsonString(c.provider)},"frequency":${jsonString(c.frequency)},"rows":${value}}`,
  );
  return `{"datasourceId":${datasourceId},"source":"${source}","generation":${generation === null ? 'null' : generation},"entries":[${items.join(',')}]}`;
}

const DIMENSIONS = ['measure', 'practice', 'provider', 'frequency'] as const;

/** Whether two filters can match a common entry: only a dimension both fix to different values separates them. */
export function regionsOverlap(a: AnalyticsQuery, b: AnalyticsQuery): boolean {
  return DIMENSIONS.every((d) => a[d] === undefined || b[d] === undefined || a[d] === b[d]);
}
