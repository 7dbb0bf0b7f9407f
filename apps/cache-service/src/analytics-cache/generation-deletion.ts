import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../redis/redis.module.js';
import { CacheKeys } from '../redis/redis-keys.js';
import { DROP_ENTRIES } from './cache-scripts.js';
import { decodeStoredEntry } from './entry-codec.js';

const INDEX = CacheKeys.indexSuffixes;

export interface DeletionCounts {
  keysDeleted: number;
  indexesDeleted: number;
  bytesFreed: number;
}

/** How deletion spreads its work: no single Redis command frees more than `batchBytes`, and it rests `pauseMs` between two. */
export interface DeletionPacing {
  batchBytes: number;
  pauseMs: number;
}

/** The configuration's defaults (CACHE_DELETE_BATCH_BYTES, CACHE_DELETE_PAUSE_MS), for code built without it (the bench). */
export const DEFAULT_DELETION_PACING: DeletionPacing = { batchBytes: 64 * 1024, pauseMs: 2 };

/**
 * What Redis frees with a key beyond its name and value: the keyspace's dict entry, the object header and the
 * allocators' headers. It makes many tiny keys cost what they cost to delete, not nothing.
 */
const KEY_OVERHEAD_BYTES = 64;
/** What one set member costs beyond its bytes (its dict entry and header). */
const MEMBER_OVERHEAD_BYTES = 24;
/** The bytes of a member (an entry id; layout 1's suffixes were longer, the estimate stays an estimate). */
const ID_MEMBER_BYTES = 8;
/** A cap on keys per batch whatever their size: removing a key costs Redis time of its own. */
const MAX_KEYS_PER_BATCH = 500;
/** SSCAN's COUNT: the scan itself stays short, and the batches are cut from what it returned. */
const SCAN_COUNT = 100;

/**
 * Cuts `items` (each of `sizeOf` bytes) into consecutive batches of at most `budget` bytes and MAX_KEYS_PER_BATCH
 * items. An item larger than the budget goes alone: it cannot be split, and alone it frees the least it can.
 */
export function batchesByBytes<T>(items: T[], sizeOf: (item: T) => number, budget: number): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (batch.length > 0 && (bytes + size > budget || batch.length >= MAX_KEYS_PER_BATCH)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

interface SizedEntry {
  key: string;
  /** STRLEN of the value (0: the key is gone already). */
  length: number;
}

const entryCost = (entry: SizedEntry): number =>
  entry.length > 0 ? entry.length + entry.key.length + KEY_OVERHEAD_BYTES : KEY_OVERHEAD_BYTES;

/** The index sets of a stored entry, from the coordinates in its value; none when it is gone or not an entry. */
function indexSetsOfStored(value: string | null): string[] {
  const entry = value === null ? null : decodeStoredEntry(value);
  return entry ? CacheKeys.indexSuffixesOf(entry.coordinates) : [];
}

/**
 * Deleting cached data without stalling Redis (DESIGN.md §3). Redis runs one command at a time: a command that
 * frees many megabytes makes every other client wait for it. So each UNLINK / DROP_ENTRIES is sized by the bytes it
 * frees (entries differ in size: their value lengths are read first, with STRLEN, which is O(1)), and the deletion
 * rests between two of them so that other clients' commands interleave. A generation of B bytes takes about
 * B / batchBytes × (pauseMs + one round trip): a 1M-row generation (≈ 26 MB of entries) about a second.
 */
export class GenerationDeletion {
  constructor(
    private readonly redis: RedisClient,
    private readonly pacing: DeletionPacing,
  ) {}

  /**
   * Walks a generation's `ranges` hash with HSCAN and UNLINKs the entries of each range in batches sized by bytes —
   * never KEYS, never one giant DEL. A range leaves the hash once its entries are gone (not the hash at the end): a
   * batch written while this runs adds its own range, so a later pass (or the janitor) still finds it. The index
   * sets, known from the registry, go next, sized the same way; the registry and the directory last. A generation of
   * layout 1 (written by a previous version) is walked through its master set first.
   */
  async deleteGeneration(datasourceId: number, generation: number): Promise<DeletionCounts> {
    const counts: DeletionCounts = { keysDeleted: 0, indexesDeleted: 0, bytesFreed: 0 };
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
    if ((await this.redis.exists(indexPrefix + CacheKeys.legacy.master())) > 0)
      await this.deleteLegacyGeneration(datasourceId, generation, counts);
    const rangesKey = indexPrefix + INDEX.ranges();
    const hadRanges = (await this.redis.exists(rangesKey)) > 0;
    for (let pass = 0; pass < 3; pass++) {
      let cursor = '0';
      do {
        const [next, fields] = await this.redis.hscan(rangesKey, cursor, 'COUNT', SCAN_COUNT);
        cursor = next;
        // Ranges are as small as the warm's batches (WARM_BATCH_ENTRIES): taken one by one, a generation written 5
        // entries at a time cost four round trips and a pause per 5 entries (16,000 entries: over 10 s on a loaded
        // machine). So consecutive ranges are gathered up to MAX_KEYS_PER_BATCH keys, unlinked in batches sized by
        // bytes as before, and only then leave the hash together.
        let keys: string[] = [];
        let ranges: string[] = [];
        const flush = async (): Promise<void> => {
          if (ranges.length === 0) return;
          await this.unlinkEntries(keys, counts);
          await this.redis.hdel(rangesKey, ...ranges);
          keys = [];
          ranges = [];
        };
        for (let i = 0; i < fields.length; i += 2) {
          const first = Number(fields[i]);
          for (let j = 0; j < Number(fields[i + 1]); j++)
            keys.push(CacheKeys.entryKey(datasourceId, generation, first + j));
          ranges.push(fields[i]);
          if (keys.length >= MAX_KEYS_PER_BATCH) await flush();
        }
        await flush();
      } while (cursor !== '0');
      if ((await this.redis.exists(rangesKey)) === 0) break;
    }
    // Emptied field by field, the ranges hash is gone by now; it still counts as one of the generation's index keys.
    if (hadRanges) counts.indexesDeleted += 1;

    const registryKey = indexPrefix + INDEX.registry();
    const sets = new Set<string>();
    let cursor = '0';
    do {
      const [next, members] = await this.redis.sscan(registryKey, cursor, 'COUNT', SCAN_COUNT);
      cursor = next;
      for (const member of members) sets.add(indexPrefix + member);
    } while (cursor !== '0');
    counts.indexesDeleted += await this.unlinkSets([...sets]);
    counts.indexesDeleted += await this.redis.unlink(
      registryKey,
      indexPrefix + INDEX.directory(),
      indexPrefix + INDEX.groups(),
    );
    return counts;
  }

  /**
   * Drops entries of the live generation and their index memberships (DROP_ENTRIES: each entry with its
   * memberships, atomically), in scripts sized by the bytes they free: value, key and one member per index set.
   */
  async dropEntries(datasourceId: number, ids: number[]): Promise<DeletionCounts> {
    const counts: DeletionCounts = { keysDeleted: 0, indexesDeleted: 0, bytesFreed: 0 };
    const live = await this.redis.hget(CacheKeys.meta(datasourceId), CacheKeys.liveField);
    if (!live || ids.length === 0) return counts;
    // Sizes and index sets (from the coordinates in the values) of the live generation's entries; the script reads
    // the generation again (a swap in between only makes these estimates — the region is marked dropped before this
    // runs, so no reader depends on them).
    const sized: Array<SizedEntry & { id: number; sets: string[] }> = [];
    for (let i = 0; i < ids.length; i += SCAN_COUNT) {
      const chunk = ids.slice(i, i + SCAN_COUNT);
      const keys = chunk.map((id) => CacheKeys.entryKey(datasourceId, Number(live), id));
      const values = await this.redis.mget(...keys);
      chunk.forEach((id, j) =>
        sized.push({ id, key: keys[j], length: values[j]?.length ?? 0, sets: indexSetsOfStored(values[j]) }),
      );
    }
    const cost = (entry: SizedEntry & { sets: string[] }): number =>
      entryCost(entry) + entry.sets.length * (ID_MEMBER_BYTES + MEMBER_OVERHEAD_BYTES);
    const batches = batchesByBytes(sized, cost, this.pacing.batchBytes);
    for (const [i, batch] of batches.entries()) {
      if (i > 0) await this.pause();
      const args = batch.flatMap((entry) => [String(entry.id), String(entry.sets.length), ...entry.sets]);
      const [removed, bytes, emptied] = (await this.redis.eval(
        DROP_ENTRIES,
        1,
        CacheKeys.meta(datasourceId),
        CacheKeys.entryPrefixBase(datasourceId),
        CacheKeys.indexPrefixBase(datasourceId),
        ...args,
      )) as [number, number, number];
      counts.keysDeleted += removed;
      counts.bytesFreed += bytes;
      counts.indexesDeleted += emptied;
    }
    return counts;
  }

  /**
   * Layout 1, as a previous version wrote it (an upgrade with generations in Redis): the master set of entry
   * suffixes walked with SSCAN, each batch's entries UNLINKed and SREMed from it, then the index sets their
   * coordinates name, the master set last.
   */
  private async deleteLegacyGeneration(
    datasourceId: number,
    generation: number,
    counts: DeletionCounts,
  ): Promise<void> {
    const entryPrefix = CacheKeys.entryPrefix(datasourceId, generation);
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
    const masterKey = indexPrefix + CacheKeys.legacy.master();
    const indexSets = new Set<string>();
    for (let pass = 0; pass < 3; pass++) {
      let cursor = '0';
      do {
        const [next, members] = await this.redis.sscan(masterKey, cursor, 'COUNT', SCAN_COUNT);
        cursor = next;
        for (const member of members) {
          const coordinates = CacheKeys.legacy.parseEntrySuffix(member);
          if (coordinates) for (const set of CacheKeys.legacy.indexSuffixesOf(coordinates)) indexSets.add(set);
        }
        if (members.length === 0) continue;
        await this.unlinkEntries(
          members.map((member) => entryPrefix + member),
          counts,
        );
        await this.redis.srem(masterKey, ...members);
      } while (cursor !== '0');
      if ((await this.redis.scard(masterKey)) === 0) break;
    }
    indexSets.delete(CacheKeys.legacy.master());
    counts.indexesDeleted += await this.unlinkSets([...indexSets].map((set) => indexPrefix + set));
    if ((await this.redis.unlink(masterKey)) > 0 || counts.keysDeleted > 0) counts.indexesDeleted += 1;
  }

  /** The value lengths of `keys` (one pipeline of STRLEN). */
  private async sized(keys: string[]): Promise<SizedEntry[]> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.strlen(key);
    const results = (await pipeline.exec()) ?? [];
    return keys.map((key, i) => ({ key, length: Number(results[i]?.[1] ?? 0) }));
  }

  /** UNLINKs entry keys in batches sized by the bytes they free (values sized SCAN_COUNT at a time), resting between. */
  private async unlinkEntries(keys: string[], counts: DeletionCounts): Promise<void> {
    for (let i = 0; i < keys.length; i += SCAN_COUNT) {
      const sized = await this.sized(keys.slice(i, i + SCAN_COUNT));
      for (const batch of batchesByBytes(sized, entryCost, this.pacing.batchBytes)) {
        counts.keysDeleted += await this.redis.unlink(...batch.map((entry) => entry.key));
        for (const entry of batch) if (entry.length > 0) counts.bytesFreed += entry.length + entry.key.length;
        await this.pause();
      }
    }
  }

  /**
   * UNLINKs index sets in batches sized by their members (SCARD × the cost of a member). Redis frees a large set in a
   * background thread; the batch bounds what it frees in the foreground.
   */
  private async unlinkSets(keys: string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_BATCH) {
      const chunk = keys.slice(i, i + MAX_KEYS_PER_BATCH);
      const pipeline = this.redis.pipeline();
      for (const key of chunk) pipeline.scard(key);
      const results = (await pipeline.exec()) ?? [];
      const sized = chunk.map((key, j) => ({ key, members: Number(results[j]?.[1] ?? 0) }));
      const setCost = (set: { key: string; members: number }): number =>
        KEY_OVERHEAD_BYTES + set.key.length + set.members * (ID_MEMBER_BYTES + MEMBER_OVERHEAD_BYTES);
      for (const batch of batchesByBytes(sized, setCost, this.pacing.batchBytes)) {
        deleted += await this.redis.unlink(...batch.map((set) => set.key));
        await this.pause();
      }
    }
    return deleted;
  }

  private async pause(): Promise<void> {
    if (this.pacing.pauseMs > 0) await sleep(this.pacing.pauseMs);
  }
}
