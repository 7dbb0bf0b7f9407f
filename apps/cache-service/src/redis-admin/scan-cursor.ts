import { createHash } from 'node:crypto';

/**
 * The key browser's cursor: a SCAN cursor on a standalone Redis (`"1234"`), or `"<node>:<cursor>"` on a
 * cluster, where the scan walks the masters one after the other. Pages end between SCAN calls (the key browser asks
 * for fewer buckets until a reply fits); only when a single bucket holds more keys than a page does a page end inside
 * a reply: the cursor adds `~<mark>` of the last key handed out, and the next request repeats that one-bucket call
 * and continues after that key (so `count` is a page size, not a minimum).
 */
export interface ScanPosition {
  node: number;
  cursor: string;
  /** keyMark of the last key already handed out from the SCAN call at `cursor`. */
  after?: string;
}

const MAX_CURSOR = 2n ** 64n - 1n;

export const CURSOR_FORMAT = /^(\d{1,4}:)?\d{1,20}(~[0-9a-f]{8})?$/;

/**
 * A short, URL-safe stand-in for a key name in the cursor (a key may be long and hold anything). Were the key
 * deleted, or a mark to collide, the next page starts at the beginning of the SCAN call again: keys may then be
 * listed twice, as SCAN itself allows, but none is skipped.
 */
export const keyMark = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** The position to continue from, null for a malformed cursor or a node index out of range. */
export function parseCursor(raw: string | undefined, nodeCount: number): ScanPosition | null {
  const value = raw ?? '0';
  if (!CURSOR_FORMAT.test(value)) return null;
  const [position, after] = value.split('~');
  const [node, cursor] = position.includes(':') ? position.split(':') : ['0', position];
  const index = Number(node);
  const parsed = BigInt(cursor);
  if (index >= nodeCount || parsed > MAX_CURSOR) return null;
  return { node: index, cursor: parsed.toString(), ...(after ? { after } : {}) };
}

/** The cursor to hand back; `"0"` when the scan is complete. */
export function formatCursor(position: ScanPosition | null, nodeCount: number): string {
  if (!position) return '0';
  const cursor = nodeCount > 1 ? `${position.node}:${position.cursor}` : position.cursor;
  return position.after ? `${cursor}~${position.after}` : cursor;
}

/** After a node's SCAN returned `next`: the same node, the next one, or the end. */
export function advance(position: ScanPosition, next: string, nodeCount: number): ScanPosition | null {
  if (next !== '0') return { node: position.node, cursor: next };
  return position.node + 1 < nodeCount ? { node: position.node + 1, cursor: '0' } : null;
}

/**
 * The keys a page takes from one SCAN call's reply: from after the key marked `after` (from the start when there is
 * no mark or the key is gone), until `room` keys are accepted. When the page fills up before the reply ends,
 * `stoppedAfter` marks the last key looked at: the next request repeats the call and continues after it.
 */
export function takeFromBatch(
  keys: string[],
  after: string | undefined,
  room: number,
  accept: (key: string) => boolean,
): { taken: string[]; stoppedAfter: string | null } {
  const taken = new Set<string>();
  const start = after ? keys.findIndex((key) => keyMark(key) === after) + 1 : 0;
  for (let index = start; index < keys.length; index++) {
    if (taken.size >= room) return { taken: [...taken], stoppedAfter: keyMark(keys[index - 1]) };
    if (accept(keys[index])) taken.add(keys[index]);
  }
  return { taken: [...taken], stoppedAfter: null };
}
