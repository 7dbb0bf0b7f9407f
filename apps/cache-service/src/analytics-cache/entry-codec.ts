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

/**
 * The stored value of an entry (layout 2): its coordinates as a JSON array, a newline, then its rows as encodeRows
 * wrote them. JSON text never holds a raw newline, so the first one ends the header; the rows stay spliceable.
 */
export function encodeStoredEntry(coordinates: EntryCoordinates, rows: string): string {
  return `${JSON.stringify([coordinates.measure, coordinates.practice, coordinates.provider, coordinates.frequency])}\n${rows}`;
}

/** An entry as stored (encodeStoredEntry): its coordinates and its rows' JSON; null when the value is not one. */
export function decodeStoredEntry(stored: string): { coordinates: EntryCoordinates; value: string } | null {
  const end = stored.indexOf('\n');
  if (end < 0) return null;
  let header: unknown;
  try {
    header = JSON.parse(stored.slice(0, end));
  } catch {
    return null;
  }
  if (!Array.isArray(header) || header.length !== 4 || !header.every((part) => typeof part === 'string')) return null;
  const [measure, practice, provider, frequency] = header as string[];
  return { coordinates: { measure, practice, provider, frequency }, value: stored.slice(end + 1) };
}

export interface GroupingTotals {
  rows: number;
  entries: number;
  bytes: number;
  measures: Set<string>;
  practices: Set<string>;
  providers: Set<string>;
  frequencies: Set<string>;
  /** The frequencies of each measure: one measure-frequency index set per pair. */
  measureFrequencies: Map<string, Set<string>>;
}

// Redis keeps ~50 bytes of bookkeeping per key, and 4 (intset) to ~56 (hash table) per set member of an id.
const KEY_OVERHEAD = 50;
const MEMBER_OVERHEAD = 24;
const INDEX_SETS_PER_ENTRY = 3;

/**
 * Turns rows sorted by entry into entries, numbered from 0 in that order; rows of one entry must be consecutive
 * (the warming query orders them).
 */
export class EntryGrouper {
  readonly totals: GroupingTotals = {
    rows: 0,
    entries: 0,
    bytes: 0,
    measures: new Set(),
    practices: new Set(),
    providers: new Set(),
    frequencies: new Set(),
    measureFrequencies: new Map(),
  };
  private current: SourceRow[] = [];
  private first: SourceRow | null = null;

  constructor(private readonly keyLength: number) {}

  /** Adds rows; returns the entries they completed. */
  add(rows: SourceRow[]): EntryToWrite[] {
    const done: EntryToWrite[] = [];
    let first = this.first;
    for (const row of rows) {
      if (
        first !== null &&
        (row.measure !== first.measure ||
          row.practice !== first.practice ||
          row.provider !== first.provider ||
          row.frequency !== first.frequency)
      ) {
        done.push(this.flushCurrent());
        first = null;
      }
      if (first === null) first = row;
      this.current.push(row);
    }
    this.first = first;
    return done;
  }

  /** The last entry, once the source is exhausted. */
  finish(): EntryToWrite[] {
    return this.current.length > 0 ? [this.flushCurrent()] : [];
  }

  private flushCurrent(): EntryToWrite {
    const rows = this.current;
    this.current = [];
    this.first = null;
    const first = rows[0];
    const coordinates: EntryCoordinates = {
      measure: first.measure,
      practice: first.practice,
      provider: first.provider,
      frequency: first.frequency,
    };
    const value = encodeRows(rows);
    const t = this.totals;
    const id = t.entries;
    t.rows += rows.length;
    t.entries += 1;
    // The header (coordinates) is about as long as the four values plus their quotes.
    const header = first.measure.length + first.practice.length + first.provider.length + first.frequency.length + 12;
    t.bytes += this.keyLength + 7 + header + value.length + KEY_OVERHEAD + INDEX_SETS_PER_ENTRY * MEMBER_OVERHEAD;
    if (!t.measures.has(first.measure)) {
      t.measures.add(first.measure);
      t.measureFrequencies.set(first.measure, new Set());
    }
    t.measureFrequencies.get(first.measure)!.add(first.frequency);
    t.practices.add(first.practice);
    t.providers.add(first.provider);
    t.frequencies.add(first.frequency);
    return { id, coordinates, value };
  }
}

/**
 * Which index sets answer a query: the measure-frequency set when both are given, else (one of them given) the union
 * of the sets the generation's directory lists for it; intersected with the practice and provider sets. No filter
 * at all: every entry of the generation.
 */
export function planQuery(query: AnalyticsQuery): QueryPlan {
  const { measure, practice, provider, frequency } = query;
  const s = CacheKeys.indexSuffixes;
  const sets: string[] = [];
  let anyOf = '';
  if (measure !== undefined && frequency !== undefined) sets.push(s.measureFrequency(measure, frequency));
  else if (measure !== undefined) anyOf = CacheKeys.directoryFields.measure(measure);
  else if (frequency !== undefined) anyOf = CacheKeys.directoryFields.frequency(frequency);
  if (practice !== undefined) sets.push(s.practice(practice));
  if (provider !== undefined) sets.push(s.provider(provider));
  return { sets, anyOf };
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
