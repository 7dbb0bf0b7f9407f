import { advance, formatCursor, keyMark, parseCursor, takeFromBatch } from './scan-cursor.js';

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

  it('carries the mark of the last key handed out when a page ended inside a SCAN call', () => {
    const mark = keyMark('cache:{ds:1}:g3:e:abc');
    expect(mark).toMatch(/^[0-9a-f]{8}$/);
    expect(formatCursor({ node: 0, cursor: '1234', after: mark }, 1)).toBe(`1234~${mark}`);
    expect(parseCursor(`1234~${mark}`, 1)).toEqual({ node: 0, cursor: '1234', after: mark });
    expect(parseCursor(`2:0~${mark}`, 3)).toEqual({ node: 2, cursor: '0', after: mark });
    expect(advance({ node: 0, cursor: '5', after: mark }, '9', 1)).toEqual({ node: 0, cursor: '9' });
  });

  it('takes at most room keys from a SCAN reply and marks where the page stopped inside it', () => {
    const keys = ['a', 'b', 'hidden', 'c', 'd', 'e'];
    const visible = (key: string) => key !== 'hidden';
    const first = takeFromBatch(keys, undefined, 3, visible);
    expect(first).toEqual({ taken: ['a', 'b', 'c'], stoppedAfter: keyMark('c') });
    expect(takeFromBatch(keys, first.stoppedAfter!, 3, visible)).toEqual({ taken: ['d', 'e'], stoppedAfter: null });
    // Exactly full at the end of the reply: nothing left in it, the scan moves on.
    expect(takeFromBatch(keys, keyMark('c'), 2, visible)).toEqual({ taken: ['d', 'e'], stoppedAfter: null });
    // The marked key was deleted meanwhile: the reply is taken from its start again (repeats, never skips).
    expect(takeFromBatch(['a', 'b'], keyMark('gone'), 5, visible)).toEqual({ taken: ['a', 'b'], stoppedAfter: null });
  });

  it.each(['abc', '-1', '1.5', '3:1', '99999999999999999999', '', '12~', '12~XYZ', '12~0123456789'])(
    'rejects %j',
    (raw) => {
      expect(parseCursor(raw, 3)).toBeNull();
    },
  );
});
