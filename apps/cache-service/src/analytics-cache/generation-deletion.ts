import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../redis/redis.module.js';
import { CacheKeys } from '../redis/redis-keys.js';
import { DROP_ENTRIES } from './cache-scripts.js';

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
  member: string;
  key: string;
  /** STRLEN of the value (0: the key is gone already). */
  length: number;
}

const entryCost = (entry: SizedEntry): number =>
  entry.length > 0 ? entry.length + entry.key.length + KEY_OVERHEAD_BYTES : KEY_OVERHEAD_BYTES;

/**
 * Deleting cached data without stalling Redis (DESIGN.md §3). Redis runs one command at a time: a command that
 * frees many megabytes makes every other client wait for it. So each UNLINK / SREM / DROP_ENTRIES is sized by the
 * bytes it frees (entries differ in size: their value lengths are read first, with STRLEN, which is O(1)), and
 * the deletion rests between two of them so that other clients' commands interleave. A generation of B bytes
 * takes about B / batchBytes × (pauseMs + one round trip): a 1M-row generation (≈ 26 MB of entries) about a second.
 */
export class GenerationDeletion {
  constructor(
    private readonly redis: RedisClient,
    private readonly pacing: DeletionPacing,
  ) {}

  /**
   * Walks a generation's master set with SSCAN and UNLINKs its entries in batches sized by bytes — never KEYS,
   * never one giant DEL. Members leave the master set with their entries (not the set at the end): an entry
   * written while this runs keeps the master set, so a later deletion (or the janitor) still finds it; a few
   * passes catch those. Index sets are found from the entries' coordinates and go last, sized the same way.
   */
  async deleteGeneration(datasourceId: number, generation: number): Promise<DeletionCounts> {
    const entryPrefix = CacheKeys.entryPrefix(datasourceId, generation);
    const masterKey = CacheKeys.indexPrefix(datasourceId, generation) + CacheKeys.indexSuffixes.master();
    const indexSets = new Set<string>();
    const counts: DeletionCounts = { keysDeleted: 0, indexesDeleted: 0, bytesFreed: 0 };
    let pending: SizedEntry[] = [];
    let pendingBytes = 0;
    // Index sets hold entry suffixes: the ones seen here tell how many bytes a member of them frees.
    let memberBytes = 0;
    let membersSeen = 0;
    for (let pass = 0; pass < 3; pass++) {
      let cursor = '0';
      do {
        const [next, members] = await this.redis.sscan(masterKey, cursor, 'COUNT', SCAN_COUNT);
        cursor = next;
        if (members.length === 0) continue;
        for (const member of members) {
          memberBytes += member.length;
          membersSeen += 1;
          const coordinates = CacheKeys.parseEntrySuffix(member);
          if (coordinates) for (const set of CacheKeys.indexSuffixesOf(coordinates)) indexSets.add(set);
        }
        for (const entry of await this.sized(members.map((member) => ({ member, key: entryPrefix + member })))) {
          pending.push(entry);
          pendingBytes += entryCost(entry);
        }
        // Whole batches only while scanning; the remainder waits for the next scan step (or the end of the pass).
        if (pendingBytes < this.pacing.batchBytes && pending.length < MAX_KEYS_PER_BATCH) continue;
        const batches = batchesByBytes(pending, entryCost, this.pacing.batchBytes);
        const last = batches.pop()!;
        for (const batch of batches) await this.unlinkEntries(masterKey, batch, counts);
        pending = last;
        pendingBytes = last.reduce((sum, entry) => sum + entryCost(entry), 0);
      } while (cursor !== '0');
      for (const batch of batchesByBytes(pending, entryCost, this.pacing.batchBytes))
        await this.unlinkEntries(masterKey, batch, counts);
      pending = [];
      pendingBytes = 0;
      if ((await this.redis.scard(masterKey)) === 0) break;
    }

    indexSets.delete(CacheKeys.indexSuffixes.master());
    const memberLength = membersSeen > 0 ? memberBytes / membersSeen : 0;
    counts.indexesDeleted += await this.unlinkSets(
      [...indexSets].map((set) => CacheKeys.indexPrefix(datasourceId, generation) + set),
      memberLength,
    );
    // An emptied set no longer exists; it still counts as the generation's master index.
    if (counts.keysDeleted > 0 || (await this.redis.unlink(masterKey)) > 0) counts.indexesDeleted += 1;
    return counts;
  }

  /**
   * Drops entries of the live generation and their index memberships (DROP_ENTRIES: each entry with its
   * memberships, atomically), in scripts sized by the bytes they free: value, key and one member per index set.
   */
  async dropEntries(datasourceId: number, suffixes: string[]): Promise<DeletionCounts> {
    const counts: DeletionCounts = { keysDeleted: 0, indexesDeleted: 0, bytesFreed: 0 };
    const live = await this.redis.hget(CacheKeys.meta(datasourceId), 'gen');
    if (!live || suffixes.length === 0) return counts;
    // Sizes of the live generation's entries; the script reads the generation again (a swap in between only
    // makes the sizes estimates — the region is marked dropped before this runs, so no reader depends on them).
    const entryPrefix = CacheKeys.entryPrefix(datasourceId, Number(live));
    const sized: Array<SizedEntry & { sets: string[] }> = [];
    for (let i = 0; i < suffixes.length; i += SCAN_COUNT) {
      const chunk = suffixes.slice(i, i + SCAN_COUNT).map((member) => ({ member, key: entryPrefix + member }));
      for (const entry of await this.sized(chunk))
        sized.push({ ...entry, sets: CacheKeys.indexSuffixesOf(CacheKeys.parseEntrySuffix(entry.member)!) });
    }
    const cost = (entry: SizedEntry & { sets: string[] }): number =>
      entryCost(entry) + entry.sets.length * (entry.member.length + MEMBER_OVERHEAD_BYTES);
    const batches = batchesByBytes(sized, cost, this.pacing.batchBytes);
    for (const [i, batch] of batches.entries()) {
      if (i > 0) await this.pause();
      const args = batch.flatMap((entry) => [entry.member, String(entry.sets.length), ...entry.sets]);
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

  /** The value lengths of `entries` (one pipeline of STRLEN). */
  private async sized(entries: Array<{ member: string; key: string }>): Promise<SizedEntry[]> {
    const pipeline = this.redis.pipeline();
    for (const entry of entries) pipeline.strlen(entry.key);
    const results = (await pipeline.exec()) ?? [];
    return entries.map((entry, i) => ({ ...entry, length: Number(results[i]?.[1] ?? 0) }));
  }

  /** One batch: UNLINK its entries, SREM them from the master set (one round trip), then rest. */
  private async unlinkEntries(masterKey: string, batch: SizedEntry[], counts: DeletionCounts): Promise<void> {
    const results =
      (await this.redis
        .pipeline()
        .unlink(...batch.map((entry) => entry.key))
        .srem(masterKey, ...batch.map((entry) => entry.member))
        .exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    counts.keysDeleted += Number(results[0]?.[1] ?? 0);
    for (const entry of batch) if (entry.length > 0) counts.bytesFreed += entry.length + entry.key.length;
    await this.pause();
  }

  /**
   * UNLINKs index sets in batches sized by their members (SCARD × `memberLength`, the entry suffixes' mean
   * length). Redis frees a large set in a background thread; the batch bounds what it frees in the foreground.
   */
  private async unlinkSets(keys: string[], memberLength: number): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_BATCH) {
      const chunk = keys.slice(i, i + MAX_KEYS_PER_BATCH);
      const pipeline = this.redis.pipeline();
      for (const key of chunk) pipeline.scard(key);
      const results = (await pipeline.exec()) ?? [];
      const sized = chunk.map((key, j) => ({ key, members: Number(results[j]?.[1] ?? 0) }));
      const setCost = (set: { key: string; members: number }): number =>
        KEY_OVERHEAD_BYTES + set.key.length + set.members * (memberLength + MEMBER_OVERHEAD_BYTES);
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
