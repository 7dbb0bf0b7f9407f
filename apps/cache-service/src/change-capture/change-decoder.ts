import type { ColumnMapping } from '@ccc/shared-types';
import type { EntryCoordinates } from '../redis/redis-keys.js';

/** The parts of a decoded pgoutput message (pg-logical-replication's Pgoutput.Message) this area reads. */
export type DecodedChange =
  | { tag: 'insert'; new: Record<string, unknown> }
  | {
      tag: 'update';
      old: Record<string, unknown> | null;
      key: Record<string, unknown> | null;
      new: Record<string, unknown>;
    }
  | { tag: 'delete'; old: Record<string, unknown> | null; key: Record<string, unknown> | null }
  | { tag: 'truncate' };

/** Every group of the datasource may have changed (a TRUNCATE, a row whose group the stream does not carry). */
export const ALL_GROUPS = 'all' as const;

/**
 * Text of a value as the warm groups it: pgoutput is read as text (column parsers switched off), and a NULL dimension
 * reads as '' exactly as the warm's COPY reader maps it.
 */
const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

/** The group one row belongs to, or null when the tuple lacks a grouping column (a key-only tuple without it). */
function groupOf(row: Record<string, unknown> | null, mapping: ColumnMapping): EntryCoordinates | null {
  if (!row) return null;
  const columns = [mapping.measure, mapping.practice, mapping.provider, mapping.frequency];
  if (columns.some((column) => !(column in row) || row[column] === undefined)) return null;
  return {
    measure: text(row[mapping.measure]),
    practice: text(row[mapping.practice]),
    provider: text(row[mapping.provider]),
    frequency: text(row[mapping.frequency]),
  };
}

/**
 * The groups (cache entries) one row change touches: an insert its new group; an update both its old group (the row
 * left it) and its new one; a delete its old group. When the stream cannot name a group, every group is refreshed.
 */
export function groupsOfChange(change: DecodedChange, mapping: ColumnMapping): EntryCoordinates[] | typeof ALL_GROUPS {
  switch (change.tag) {
    case 'truncate':
      return ALL_GROUPS;
    case 'insert': {
      const group = groupOf(change.new, mapping);
      return group ? [group] : ALL_GROUPS;
    }
    case 'update': {
      const after = groupOf(change.new, mapping);
      // Without an old tuple, the identity did not change — nor, when the identity covers them, the grouping columns.
      const before = change.old || change.key ? groupOf(change.old ?? change.key, mapping) : after;
      if (!after || !before) return ALL_GROUPS;
      return groupKey(before) === groupKey(after) ? [after] : [before, after];
    }
    case 'delete': {
      const group = groupOf(change.old ?? change.key, mapping);
      return group ? [group] : ALL_GROUPS;
    }
  }
}

/** One string per group, for de-duplicating pending groups. */
export const groupKey = (group: EntryCoordinates): string =>
  JSON.stringify([group.measure, group.practice, group.provider, group.frequency]);

/** Log sequence numbers (`X/Y` hex) in order. */
export function compareLsn(a: string, b: string): number {
  const value = (lsn: string): bigint => {
    const [high, low] = lsn.split('/');
    return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
  };
  const difference = value(a) - value(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/**
 * Changed groups collected from the stream until the next refresh, with the commit position they reach. Only
 * committed transactions count: a refresh reads the source, which shows nothing uncommitted.
 */
export class PendingChanges {
  private groups = new Map<string, EntryCoordinates>();
  private all = false;
  private transaction: Array<EntryCoordinates[] | typeof ALL_GROUPS> = [];
  /** End of the last committed transaction collected. */
  private lsn: string | null = null;
  /** When the oldest pending change was committed (ms), for the flush deadline. */
  private since: number | null = null;

  /** A row change inside the current transaction. */
  add(groups: EntryCoordinates[] | typeof ALL_GROUPS): void {
    this.transaction.push(groups);
  }

  /** The current transaction committed at `endLsn`: its changes become pending. */
  commit(endLsn: string, now: number): void {
    for (const groups of this.transaction.splice(0)) {
      if (groups === ALL_GROUPS) this.all = true;
      else for (const group of groups) this.groups.set(groupKey(group), group);
    }
    if (this.all || this.groups.size > 0) this.since ??= now;
    this.lsn = endLsn;
  }

  /**
   * Every group waits for the next refresh (a refresh of taken changes failed, a new slot): committed, due `now`
   * unless something older already waits. The transaction being received and the position are left alone, so
   * nothing is confirmed past what the stream had seen.
   */
  allChanged(now: number): void {
    this.all = true;
    this.since ??= now;
  }

  /** True when nothing committed waits for a refresh. */
  get empty(): boolean {
    return !this.all && this.groups.size === 0;
  }

  get size(): number {
    return this.all ? Number.POSITIVE_INFINITY : this.groups.size;
  }

  get oldestAt(): number | null {
    return this.since;
  }

  /** The commit position the pending changes reach (null: no transaction seen). */
  get position(): string | null {
    return this.lsn;
  }

  /** Takes what is pending for one refresh: the groups (or all) and the position acknowledged once it swapped. */
  take(): { groups: EntryCoordinates[] | typeof ALL_GROUPS; lsn: string | null } {
    const taken = { groups: this.all ? ALL_GROUPS : [...this.groups.values()], lsn: this.lsn };
    this.groups = new Map();
    this.all = false;
    this.since = null;
    return taken;
  }
}
