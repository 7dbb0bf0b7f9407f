import { advance, formatCursor, parseCursor } from './scan-cursor.js';

describe('key browser cursor', () => {
  it('is the plain SCAN cursor on a standalone Redis', () => {
    expect(parseCursor(undefined, 1)).toEqual({ node: 0, cursor: '0' });
    expect(parseCursor('1234', 1)).toEqual({ node: 0, cursor: '1234' });
    expect(formatCursor({ node: 0, cursor: '1234' }, 1)).toBe('1234');
    expect(formatCursor(null, 1)).toBe('0');
  });

  it('names the node on a cluster and walks the nodes in order', () => {
    expect(parseCursor('2:99', 3)).toEqual({ node: 2, cursor: '99' });
    expect(formatCursor({ node: 1, cursor: '5' }, 3)).toBe('1:5');
    expect(advance({ node: 0, cursor: '5' }, '9', 3)).toEqual({ node: 0, cursor: '9' });
    expect(advance({ node: 0, cursor: '5' }, '0', 3)).toEqual({ node: 1, cursor: '0' });
    expect(advance({ node: 2, cursor: '5' }, '0', 3)).toBeNull();
  });

  it.each(['abc', '-1', '1.5', '3:1', '99999999999999999999', ''])('rejects %j', (raw) => {
    expect(parseCursor(raw, 3)).toBeNull();
  });
});
