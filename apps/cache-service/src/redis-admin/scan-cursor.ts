/**
 * The key browser's cursor: a SCAN cursor on a standalone Redis (`"1234"`), or `"<node>:<cursor>"` on a
 * cluster, where the scan walks the masters one after the other.
 */
export interface ScanPosition {
  node: number;
  cursor: string;
}

const MAX_CURSOR = 2n ** 64n - 1n;

export const CURSOR_FORMAT = /^(\d{1,4}:)?\d{1,20}$/;

/** The position to continue from, null for a malformed cursor or a node index out of range. */
export function parseCursor(raw: string | undefined, nodeCount: number): ScanPosition | null {
  const value = raw ?? '0';
  if (!CURSOR_FORMAT.test(value)) return null;
  const [node, cursor] = value.includes(':') ? value.split(':') : ['0', value];
  const index = Number(node);
  const parsed = BigInt(cursor);
  if (index >= nodeCount || parsed > MAX_CURSOR) return null;
  return { node: index, cursor: parsed.toString() };
}

/** The cursor to hand back; `"0"` when the scan is complete. */
export function formatCursor(position: ScanPosition | null, nodeCount: number): string {
  if (!position) return '0';
  return nodeCount > 1 ? `${position.node}:${position.cursor}` : position.cursor;
}

/** After a node's SCAN returned `next`: the same node, the next one, or the end. */
export function advance(position: ScanPosition, next: string, nodeCount: number): ScanPosition | null {
  if (next !== '0') return { node: position.node, cursor: next };
  return position.node + 1 < nodeCount ? { node: position.node + 1, cursor: '0' } : null;
}
