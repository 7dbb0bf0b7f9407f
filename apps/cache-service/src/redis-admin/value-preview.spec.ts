import { bytesToText, capElement, decodeCacheEntry, elementsToFetch, PREVIEW_LIMITS } from './value-preview.js';

describe('inspector previews', () => {
  it('shows UTF-8 as text, also when the cut split a character', () => {
    const bytes = Buffer.from('héllo wörld');
    expect(bytesToText(bytes, false)).toEqual({ text: 'héllo wörld', binary: false });
    expect(bytesToText(bytes.subarray(0, 2), true)).toEqual({ text: 'h', binary: false });
  });

  it('shows binary as hex, capped', () => {
    const preview = bytesToText(Buffer.from([0, 255, 1, 2]), false);
    expect(preview).toEqual({ text: '00 ff 01 02', binary: true });
    const big = bytesToText(Buffer.alloc(10_000, 0), false);
    expect(big.text.split(' ')).toHaveLength(PREVIEW_LIMITS.maxElementBytes);
  });

  it('caps one element', () => {
    expect(capElement('short')).toEqual({ text: 'short', truncated: false });
    const capped = capElement('x'.repeat(5000));
    expect(capped.truncated).toBe(true);
    expect(Buffer.byteLength(capped.text)).toBeLessThanOrEqual(PREVIEW_LIMITS.maxElementBytes + 3);
  });

  it('fetches fewer elements of an aggregate whose elements are huge', () => {
    expect(elementsToFetch(null, 5)).toBe(5);
    expect(elementsToFetch(1000, 1_000_000)).toBe(PREVIEW_LIMITS.maxElements);
    expect(elementsToFetch(50 * 1024 * 1024, 10)).toBe(1);
  });

  it('decodes an analytics entry, also a cut one', () => {
    const rows = [
      ['2025-01-01', 12.5],
      ['2025-02-01', null],
      ['2025-03-01', 7],
    ];
    expect(decodeCacheEntry(JSON.stringify(rows), false)).toEqual({
      kind: 'analytics-entry',
      rowCount: 3,
      rows,
      truncated: false,
    });
    const cut = JSON.stringify(rows).slice(0, 45);
    expect(decodeCacheEntry(cut, true)).toMatchObject({ rows: rows.slice(0, 2), truncated: true });
    // Layout 2: the coordinates first, on a line of their own; layout 1 (above): the rows alone.
    const stored = `["Charges","101","10101","Daily"]\n${JSON.stringify(rows)}`;
    expect(decodeCacheEntry(stored, false)).toEqual({ kind: 'analytics-entry', rowCount: 3, rows, truncated: false });
    expect(decodeCacheEntry(stored.slice(0, 80), true)).toMatchObject({ rows: rows.slice(0, 2), truncated: true });
    expect(decodeCacheEntry(`not coordinates\n${JSON.stringify(rows)}`, false)).toBeNull();
    expect(decodeCacheEntry('{"not":"an entry"}', false)).toBeNull();
    expect(decodeCacheEntry('plain text', false)).toBeNull();
  });
});
