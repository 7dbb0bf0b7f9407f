import type { AnalyticsQuery } from '@ccc/shared-types';
import { CacheKeys, type EntryCoordinates } from '../redis/redis-keys.js';
import type { EntryToWrite, QueryPlan } from './cache.repository.js';
import { parseCopyLine, type SourceRow } from './source-reader.js';

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
  for (let i = 0; i < rows.length; i++) parts[i] = encodeRow(rows[i].period, rows[i].value);
  return `[${parts.join(',')}]`;
}

/** One row of encodeRows. */
function encodeRow(period: string, value: string | null): string {
  const periodJson = NEEDS_ESCAPE.test(period) ? JSON.stringify(period) : `"${period}"`;
  return `[${periodJson},${value !== null && NUMERIC.test(value) ? value : 'null'}]`;
}

const sameCoordinates = (a: EntryCoordinates, b: EntryCoordinates): boolean =>
  a.measure === b.measure && a.practice === b.practice && a.provider === b.provider && a.frequency === b.frequency;

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
  return plainHeader(stored, end) ?? parsedHeader(stored, end);
}

/**
 * The query path reads every entry of every answer through here. A header without a backslash holds no JSON escape,
 * so each of its four strings is the text between its quotes, and no quote occurs inside one: it is split, not parsed
 * (the same coordinates JSON.parse would give, in a fraction of the time). Anything else: undefined, parsedHeader decides.
 */
function plainHeader(stored: string, end: number): { coordinates: EntryCoordinates; value: string } | undefined {
  if (!stored.startsWith('["') || !stored.startsWith('"]', end - 2) || stored.lastIndexOf('\\', end) >= 0)
    return undefined;
  const parts = stored.slice(2, end - 2).split('","');
  if (parts.length !== 4) return undefined;
  const [measure, practice, provider, frequency] = parts;
  return { coordinates: { measure, practice, provider, frequency }, value: stored.slice(end + 1) };
}

function parsedHeader(stored: string, end: number): { coordinates: EntryCoordinates; value: string } | null {
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
  /** The entry being assembled: its coordinates, its rows encoded so far. */
  private current: EntryCoordinates | null = null;
  private parts: string[] = [];
  /** The current entry's four fields as COPY printed them (tabs between), when read by addCopyLines; else null. */
  private currentRaw: string | null = null;

  constructor(private readonly keyLength: number) {}

  /** Adds rows; returns the entries they completed. */
  add(rows: SourceRow[]): EntryToWrite[] {
    const done: EntryToWrite[] = [];
    for (const row of rows) this.addRow(row, done);
    return done;
  }

  /**
   * Adds lines of COPY TO's text format (the select list of the warming query); returns the entries they completed.
   * The same entries as add(lines.map(parseCopyLine)), without an object per row: a line without a backslash (no
   * escape, no NULL — nearly all) is cut at its tabs, and its first four fields are compared as one string.
   */
  addCopyLines(lines: string[]): EntryToWrite[] {
    const done: EntryToWrite[] = [];
    for (const line of lines) {
      if (line.indexOf('\\') !== -1) {
        this.addRow(parseCopyLine(line), done);
        continue;
      }
      const dimensionsEnd = nthTab(line, 4);
      const periodEnd = line.indexOf('\t', dimensionsEnd + 1);
      if (dimensionsEnd < 0 || periodEnd < 0) throw new Error('a COPY line has fewer than 6 fields');
      const raw = line.slice(0, dimensionsEnd);
      if (raw !== this.currentRaw) {
        const [measure, practice, provider, frequency] = raw.split('\t');
        this.begin({ measure, practice, provider, frequency }, done);
        this.currentRaw = raw;
      }
      this.parts.push(encodeRow(line.slice(dimensionsEnd + 1, periodEnd), line.slice(periodEnd + 1)));
    }
    return done;
  }

  /** The last entry, once the source is exhausted. */
  finish(): EntryToWrite[] {
    return this.current !== null ? [this.flushCurrent()] : [];
  }

  private addRow(row: SourceRow, done: EntryToWrite[]): void {
    this.begin(row, done);
    this.currentRaw = null;
    this.parts.push(encodeRow(row.period, row.value));
  }

  /** Makes `coordinates` the current entry, completing the previous one if it was another. */
  private begin(coordinates: EntryCoordinates, done: EntryToWrite[]): void {
    if (this.current !== null && sameCoordinates(this.current, coordinates)) return;
    if (this.current !== null) done.push(this.flushCurrent());
    const { measure, practice, provider, frequency } = coordinates;
    this.current = { measure, practice, provider, frequency };
  }

  private flushCurrent(): EntryToWrite {
    const coordinates = this.current!;
    const value = `[${this.parts.join(',')}]`;
    const t = this.totals;
    const id = t.entries;
    const rowsBefore = t.rows;
    t.rows += this.parts.length;
    t.entries += 1;
    this.current = null;
    this.currentRaw = null;
    this.parts = [];
    const { measure, practice, provider, frequency } = coordinates;
    // The header (coordinates) is about as long as the four values plus their quotes.
    const header = measure.length + practice.length + provider.length + frequency.length + 12;
    t.bytes += this.keyLength + 7 + header + value.length + KEY_OVERHEAD + INDEX_SETS_PER_ENTRY * MEMBER_OVERHEAD;
    if (!t.measures.has(measure)) {
      t.measures.add(measure);
      t.measureFrequencies.set(measure, new Set());
    }
    t.measureFrequencies.get(measure)!.add(frequency);
    t.practices.add(practice);
    t.providers.add(provider);
    t.frequencies.add(frequency);
    return { id, coordinates, value, rows: t.rows - rowsBefore };
  }
}

/** The index of the n-th tab of `line` (1-based), or -1. */
function nthTab(line: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) {
    at = line.indexOf('\t', at + 1);
    if (at < 0) return -1;
  }
  return at;
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
  region?: string,
): string {
  const items = entries.map(
    ({ coordinates: c, value }) =>
      `{"measure":${jsonString(c.measure)},"practice":${jsonString(c.practice)},"provider":${jsonString(c.provider)},"frequency":${jsonString(c.frequency)},"rows":${value}}`,
  );
  // Region names are lower-case letters, digits and dashes (REDIS_REGIONS): safe in JSON as they are.
  const answeredIn = region === undefined ? '' : `,"region":"${region}"`;
  return `{"datasourceId":${datasourceId},"source":"${source}","generation":${generation === null ? 'null' : generation},"entries":[${items.join(',')}]${answeredIn}}`;
}

const DIMENSIONS = ['measure', 'practice', 'provider', 'frequency'] as const;

/** Whether two filters can match a common entry: only a dimension both fix to different values separates them. */
export function regionsOverlap(a: AnalyticsQuery, b: AnalyticsQuery): boolean {
  return DIMENSIONS.every((d) => a[d] === undefined || b[d] === undefined || a[d] === b[d]);
}
