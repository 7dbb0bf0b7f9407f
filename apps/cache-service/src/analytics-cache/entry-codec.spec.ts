import { CacheKeys } from '../redis/redis-keys.js';
import {
  decodeStoredEntry,
  encodeRows,
  encodeStoredEntry,
  EntryGrouper,
  planQuery,
  regionsOverlap,
  spliceQueryResponse,
} from './entry-codec.js';
import { parseCopyLine, type SourceRow } from './source-reader.js';

const row = (
  measure: string,
  practice: string,
  provider: string,
  frequency: string,
  period: string,
  value: string | null,
): SourceRow => ({
  measure,
  practice,
  provider,
  frequency,
  period,
  value,
});

describe('entry encoding', () => {
  it('stores [period, value] pairs that parse back to the source values', () => {
    const encoded = encodeRows([
      row('m', 'p', 'v', 'Daily', '2026-10-31', '123.45'),
      row('m', 'p', 'v', 'Daily', 'Q"1\\', null),
      row('m', 'p', 'v', 'Daily', '2026-10-29', 'NaN'),
    ]);
    expect(JSON.parse(encoded)).toEqual([
      ['2026-10-31', 123.45],
      ['Q"1\\', null],
      ['2026-10-29', null],
    ]);
  });

  it('groups consecutive rows into one entry per (measure, practice, provider, frequency), numbered in order, across batches', () => {
    const grouper = new EntryGrouper(20);
    const first = grouper.add([
      row('Charges', '101', '10101', 'Daily', '2026-10-31', '1'),
      row('Charges', '101', '10101', 'Daily', '2026-10-30', '2'),
    ]);
    expect(first).toEqual([]);
    const second = grouper.add([
      row('Charges', '101', '10101', 'Daily', '2026-10-29', '3'),
      row('Charges', '101', '10101', 'Weekly', '2026-10-31', '4'),
    ]);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({
      id: 0,
      coordinates: { measure: 'Charges', practice: '101', provider: '10101', frequency: 'Daily' },
    });
    expect(JSON.parse(second[0].value)).toHaveLength(3);
    const last = grouper.finish();
    expect(last[0]).toMatchObject({ id: 1, coordinates: { frequency: 'Weekly' } });
    expect(grouper.totals).toMatchObject({ rows: 4, entries: 2 });
    expect([...grouper.totals.frequencies]).toEqual(['Daily', 'Weekly']);
    expect([...grouper.totals.measureFrequencies.get('Charges')!]).toEqual(['Daily', 'Weekly']);
  });

  it('groups COPY lines into the same entries as parsed rows, also when some lines hold escapes or NULLs', () => {
    const lines = [
      'Charges\t101\t10101\tDaily\t2026-10-31\t1.50',
      'Charges\t101\t10101\tDaily\t2026-10-30\t\\N',
      'Charges\t101\t10101\tDaily\tQ\\t1\t3',
      'Charges\t101\t10101\tDaily\t2026-10-28\t4',
      'Charges\t101\t10101\tWeekly\t2026-10-31\tNaN',
      'No\\tShows\t101\t10101\tWeekly\t2026-10-31\t5',
      'No\\tShows\t101\t10101\tWeekly\t2026-10-24\t6',
      'Visits\t\\N\t10101\tWeekly\t2026-10-31\t7',
    ];
    const byRows = new EntryGrouper(20);
    const expected = [...byRows.add(lines.map(parseCopyLine)), ...byRows.finish()];
    const byLines = new EntryGrouper(20);
    // Across two batches, cut inside an entry.
    const actual = [
      ...byLines.addCopyLines(lines.slice(0, 2)),
      ...byLines.addCopyLines(lines.slice(2)),
      ...byLines.finish(),
    ];
    expect(actual).toEqual(expected);
    expect(actual.map((entry) => entry.coordinates.measure)).toEqual(['Charges', 'Charges', 'No\tShows', 'Visits']);
    expect(JSON.parse(actual[0].value)).toEqual([
      ['2026-10-31', 1.5],
      ['2026-10-30', null],
      ['Q\t1', 3],
      ['2026-10-28', 4],
    ]);
    expect(byLines.totals).toEqual(byRows.totals);
  });

  it('stores the coordinates before the rows and reads both back, whatever characters the values hold', () => {
    const coordinates = { measure: 'a:b%c\n"x"', practice: '1', provider: 'é\t2', frequency: 'Daily' };
    const stored = encodeStoredEntry(coordinates, '[["2026-10-31",1.50]]');
    expect(decodeStoredEntry(stored)).toEqual({ coordinates, value: '[["2026-10-31",1.50]]' });
    expect(decodeStoredEntry('[["2026-10-31",1.50]]')).toBeNull();
  });

  it('reads a header without escapes as JSON.parse would, and falls back to it for anything else', () => {
    for (const coordinates of [
      { measure: 'Charges', practice: '101', provider: '10101', frequency: 'Monthly' },
      { measure: 'Gebühren €', practice: '', provider: 'a,b', frequency: '[x]' },
      { measure: 'tab\there', practice: 'quote"', provider: 'back\\slash', frequency: '\ud800' },
    ]) {
      const stored = encodeStoredEntry(coordinates, '[]');
      expect(decodeStoredEntry(stored)).toEqual({ coordinates, value: '[]' });
    }
    expect(decodeStoredEntry('["a","b","c"]\n[]')).toBeNull();
    expect(decodeStoredEntry('["a","b","c","d","e"]\n[]')).toBeNull();
    expect(decodeStoredEntry('{"a":1}\n[]')).toBeNull();
  });

  it('escapes separators inside values in index set names', () => {
    expect(CacheKeys.indexSuffixesOf({ measure: 'a:b%c', practice: '1', provider: '2', frequency: 'Daily' })).toEqual([
      'm:a%3Ab%25c:freq:Daily',
      'p:1',
      'prov:2',
    ]);
  });

  it('reads layout 1 entry names back, to delete what a previous version wrote', () => {
    expect(CacheKeys.legacy.parseEntrySuffix('m:a%3Ab%25c:p:1:prov:2:freq:Daily')).toEqual({
      measure: 'a:b%c',
      practice: '1',
      provider: '2',
      frequency: 'Daily',
    });
  });
});

describe('planQuery', () => {
  it('intersects the measure-frequency set with the practice and provider sets', () => {
    expect(planQuery({ measure: 'Charges', practice: '101', provider: '10101', frequency: 'Daily' })).toEqual({
      sets: ['m:Charges:freq:Daily', 'p:101', 'prov:10101'],
      anyOf: '',
    });
    expect(planQuery({ measure: 'Charges', frequency: 'Daily', practice: '101' })).toEqual({
      sets: ['m:Charges:freq:Daily', 'p:101'],
      anyOf: '',
    });
    expect(planQuery({ provider: '10101' })).toEqual({ sets: ['prov:10101'], anyOf: '' });
  });

  it('unites the sets the directory lists for a measure or a frequency given alone', () => {
    expect(planQuery({ measure: 'Charges' })).toEqual({ sets: [], anyOf: 'm:Charges' });
    expect(planQuery({ frequency: 'Weekly', practice: '101' })).toEqual({ sets: ['p:101'], anyOf: 'freq:Weekly' });
    expect(planQuery({})).toEqual({ sets: [], anyOf: '' });
  });
});

describe('spliceQueryResponse', () => {
  it('builds valid JSON around stored values without re-encoding them', () => {
    const text = spliceQueryResponse(3, 'cache', 7, [
      {
        coordinates: { measure: 'No "Shows"', practice: '1', provider: '2', frequency: 'Daily' },
        value: '[["2026-10-31",1.50]]',
      },
    ]);
    expect(text).toContain('1.50');
    expect(JSON.parse(text)).toEqual({
      datasourceId: 3,
      source: 'cache',
      generation: 7,
      entries: [
        { measure: 'No "Shows"', practice: '1', provider: '2', frequency: 'Daily', rows: [['2026-10-31', 1.5]] },
      ],
    });
  });
});

describe('regionsOverlap', () => {
  it('separates filters only on a dimension both fix differently', () => {
    expect(regionsOverlap({ measure: 'Charges' }, { measure: 'Charges', practice: '1' })).toBe(true);
    expect(regionsOverlap({ measure: 'Charges' }, { practice: '1' })).toBe(true);
    expect(regionsOverlap({ measure: 'Charges' }, {})).toBe(true);
    expect(regionsOverlap({ measure: 'Charges' }, { measure: 'Visits' })).toBe(false);
    expect(
      regionsOverlap({ measure: 'Charges', frequency: 'Daily' }, { measure: 'Charges', frequency: 'Weekly' }),
    ).toBe(false);
  });
});
