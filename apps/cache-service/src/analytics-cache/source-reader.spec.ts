import { CopyTextParser, parseCopyLine } from './source-reader.js';

describe('COPY text parsing', () => {
  it('keeps a multi-byte character split across chunks intact', () => {
    const text = 'Zahnärzte €\tPraxis 😀\t7\tMonthly\t2026-01-01\t1.50\nVisits\t2\t8\tDaily\t2026-01-02\t\\N\n';
    const bytes = Buffer.from(text, 'utf8');
    // Cut at every byte position, including inside 'ä' (2 bytes), '€' (3) and '😀' (4).
    for (let cut = 1; cut < bytes.length; cut++) {
      const parser = new CopyTextParser();
      const rows = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut)), ...parser.end()];
      expect(rows).toEqual([
        {
          measure: 'Zahnärzte €',
          practice: 'Praxis 😀',
          provider: '7',
          frequency: 'Monthly',
          period: '2026-01-01',
          value: '1.50',
        },
        { measure: 'Visits', practice: '2', provider: '8', frequency: 'Daily', period: '2026-01-02', value: null },
      ]);
    }
  });

  it('reads a last line without a newline, one byte at a time', () => {
    const bytes = Buffer.from('Ü\tp\tq\tf\t2026\t3', 'utf8');
    const parser = new CopyTextParser();
    const rows = [...bytes].flatMap((byte) => parser.push(Buffer.from([byte])));
    expect([...rows, ...parser.end()]).toEqual([
      { measure: 'Ü', practice: 'p', provider: 'q', frequency: 'f', period: '2026', value: '3' },
    ]);
  });

  it('maps NULL dimensions and periods to an empty string, as the cold-cache fallback does, and unescapes the rest', () => {
    expect(parseCopyLine('\\N\t\\N\t\\N\t\\N\t\\N\t\\N')).toEqual({
      measure: '',
      practice: '',
      provider: '',
      frequency: '',
      period: '',
      value: null,
    });
    expect(parseCopyLine('a\\tb\tc\\\\N\td\\ne\tf\\r\\b\\f\\v\tp\t1')).toEqual({
      measure: 'a\tb',
      practice: 'c\\N',
      provider: 'd\ne',
      frequency: 'f\r\b\f\v',
      period: 'p',
      value: '1',
    });
  });
});
