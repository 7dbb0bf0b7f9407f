import type { AnalyticsQuery } from '@ccc/shared-types';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { CacheKeys, type EntryCoordinates } from '../redis/redis-keys.js';
import { evalByDigest } from '../redis/lua-script.js';
import { BEGIN_WARM, INVALIDATE, MARK_DROPPED, QUERY, SWAP } from './cache-scripts.js';
import { decodeStoredEntry, encodeStoredEntry } from './entry-codec.js';
import { DEFAULT_DELETION_PACING, GenerationDeletion, type DeletionCounts } from './generation-deletion.js';
import { retainedOf, type RetainedGeneration } from './retained-generation.js';
import { UsageCounters } from './usage-counters.js';
import { WarmLocks } from './warm-locks.js';

/** Size and coverage of a generation, as the meta hash records them. */
interface GenerationFigures {
  rows: number;
  entries: number;
  indexes: number;
  bytes: number;
  measures: number;
  practices: number;
  providers: number;
  frequencies: string[];
  measureList: string[];
}

/** What the meta hash says about a datasource's live generation. */
export interface CacheMeta extends GenerationFigures {
  generation: number | null;
  /**
   * A live generation of layout 1 that a previous version made live: never read (the cache counts as cold); the janitor
   * deletes it and warms the datasource again.
   */
  legacyGeneration: number | null;
  shadowGeneration: number | null;
  epoch: number;
  lastWarmed: string | null;
  jobId: string | null;
  /** Regions of the live generation removed by selective invalidation (answered by the database). */
  droppedRegions: AnalyticsQuery[];
  /** The generation the last swap replaced, kept for a rollback (GENERATION_RETENTION_SECONDS), or null. */
  previous: RetainedGeneration | null;
}

export type SwapOutcome = 'ok' | 'generation_changed' | 'invalidated' | 'lock_lost' | 'previous_gone';

/** What a swap records about the generation it makes live. */
export interface LiveSummary extends GenerationFigures {
  lastWarmed: string;
  sourceRows: number;
  jobId: string;
}

export interface EntryToWrite {
  /** The entry's number in its generation (warming order, from 0). */
  id: number;
  coordinates: EntryCoordinates;
  /** Encoded rows: a JSON array of [period, value] pairs, stored (after the coordinates) and served as is. */
  value: string;
  /** How many rows `value` holds (kept in the `groups` hash for incremental refreshes). */
  rows?: number;
}

/**
 * Index sets (suffixes) to intersect, and `anyOf`: a field of the generation's directory whose sets are united first
 * ('' for none). Neither: every entry.
 */
export interface QueryPlan {
  sets: string[];
  anyOf: string;
}

/** One entry of an answer: its coordinates and its rows' JSON, spliced into the response as stored. */
export interface CachedEntry {
  coordinates: EntryCoordinates;
  value: string;
}

export type QueryResult =
  | { kind: 'cold' }
  /** `exact` false: `count` is an upper bound (the set the query would have had to read and filter). */
  | { kind: 'dropped'; generation: number; regions: AnalyticsQuery[] }
  | { kind: 'too_broad'; generation: number; count: number; exact: boolean }
  | { kind: 'hit'; generation: number; entries: CachedEntry[] };

export type { DeletionCounts } from './generation-deletion.js';

/** Generations checked for existence per pipeline. */
const EXISTS_BATCH = 500;
const SCAN_BATCH = 1_000;
const num = (value: string | undefined): number => (value ? Number(value) : 0);
const LIVE = CacheKeys.liveField;
const INDEX = CacheKeys.indexSuffixes;

/**
 * The generations of the analytics cache in Redis (DESIGN.md §3): meta, warm writes, swap, consistent reads,
 * invalidation and deletion. Its neighbours: WarmLocks (the warming lock), UsageCounters (query counters),
 * RedisMemory (INFO).
 */
@Injectable()
export class CacheRepository {
  private readonly deletion: GenerationDeletion;
  private readonly retentionMs: number;

  /** `config` absent (code built outside Nest, like the bench's): the default deletion pacing. */
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly locks: WarmLocks,
    private readonly counters: UsageCounters,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.deletion = new GenerationDeletion(redis, config?.warming.deletion ?? DEFAULT_DELETION_PACING);
    this.retentionMs = (config?.warming.generationRetentionSeconds ?? 0) * 1000;
  }

  async meta(datasourceId: number): Promise<CacheMeta> {
    const raw = await this.redis.hgetall(CacheKeys.meta(datasourceId));
    // The figures describe the live generation; without one of this layout (a previous version's only), a cold cache.
    const live: Record<string, string | undefined> = raw[LIVE] ? raw : {};
    return {
      generation: raw[LIVE] ? Number(raw[LIVE]) : null,
      legacyGeneration: raw[CacheKeys.legacyLiveField] ? Number(raw[CacheKeys.legacyLiveField]) : null,
      shadowGeneration: raw.shadowGen ? Number(raw.shadowGen) : null,
      epoch: num(raw.epoch),
      lastWarmed: live.lastWarmed ?? null,
      rows: num(live.rows),
      entries: num(live.entries),
      indexes: num(live.indexes),
      bytes: num(live.bytes),
      measures: num(live.measures),
      practices: num(live.practices),
      providers: num(live.providers),
      frequencies: live.frequencies ? (JSON.parse(live.frequencies) as string[]) : [],
      measureList: live.measureList ? (JSON.parse(live.measureList) as string[]) : [],
      jobId: live.jobId ?? null,
      droppedRegions: live.dropped ? (JSON.parse(live.dropped) as AnalyticsQuery[]) : [],
      previous: retainedOf(raw),
    };
  }

  /** The few meta fields a metrics scrape needs, without parsing the whole hash (its measure list can be long). */
  async liveFigures(
    datasourceId: number,
  ): Promise<{ generation: number | null; lastWarmed: string | null; entries: number; bytes: number }> {
    const [gen, lastWarmed, entries, bytes] = await this.redis.hmget(
      CacheKeys.meta(datasourceId),
      LIVE,
      'lastWarmed',
      'entries',
      'bytes',
    );
    if (!gen) return { generation: null, lastWarmed: null, entries: 0, bytes: 0 };
    return {
      generation: Number(gen),
      lastWarmed: lastWarmed ?? null,
      entries: num(entries ?? undefined),
      bytes: num(bytes ?? undefined),
    };
  }

  async beginWarm(datasourceId: number): Promise<{ shadow: number; live: number | null; epoch: string }> {
    const [shadow, live, epoch] = (await this.redis.eval(BEGIN_WARM, 1, CacheKeys.meta(datasourceId))) as [
      number,
      string,
      string,
    ];
    return { shadow: Number(shadow), live: live === '' ? null : Number(live), epoch };
  }

  /**
   * One MULTI: the batch's id range in the generation's `ranges` hash, an MSET of the entries, one multi-member SADD
   * per index set they belong to and the names of those sets in the registry — all or nothing, so no entry is ever
   * stored without the bookkeeping that finds it again (deleteGeneration). Ids of a batch are consecutive. Every key
   * carries the datasource's hash tag: legal on Redis Cluster. `withGroups`: each entry's id and row count go to the
   * `groups` hash too (datasources with change detection: the base of the next incremental refresh).
   */
  async writeBatch(
    datasourceId: number,
    generation: number,
    entries: EntryToWrite[],
    withGroups = false,
  ): Promise<void> {
    if (entries.length === 0) return;
    const entryPrefix = CacheKeys.entryPrefix(datasourceId, generation);
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
    const first = entries[0].id;
    const msetArgs: string[] = [];
    const members = new Map<string, number[]>();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry.id !== first + i) throw new Error(`entry ids of a batch must be consecutive (${first} + ${i})`);
      msetArgs.push(entryPrefix + entry.id, encodeStoredEntry(entry.coordinates, entry.value));
      for (const set of CacheKeys.indexSuffixesOf(entry.coordinates)) {
        const list = members.get(set);
        if (list) list.push(entry.id);
        else members.set(set, [entry.id]);
      }
    }
    const transaction = this.redis.multi();
    transaction.hset(indexPrefix + INDEX.ranges(), String(first), String(entries.length));
    transaction.mset(...msetArgs);
    for (const [set, list] of members) transaction.sadd(indexPrefix + set, ...list);
    transaction.sadd(indexPrefix + INDEX.registry(), ...members.keys());
    if (withGroups)
      transaction.hset(
        indexPrefix + INDEX.groups(),
        ...entries.flatMap((entry) => [CacheKeys.groupField(entry.coordinates), `${entry.id}:${entry.rows ?? 0}`]),
      );
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /**
   * The directory of a written generation (before it goes live): for each measure and each frequency, the
   * measure-frequency sets a query filtering on it alone unites.
   */
  async writeDirectory(
    datasourceId: number,
    generation: number,
    measureFrequencies: Map<string, Set<string>>,
  ): Promise<void> {
    const byFrequency = new Map<string, string[]>();
    const fields: string[] = [];
    for (const [measure, frequencies] of measureFrequencies) {
      const sets: string[] = [];
      for (const frequency of frequencies) {
        const set = INDEX.measureFrequency(measure, frequency);
        sets.push(set);
        byFrequency.set(frequency, [...(byFrequency.get(frequency) ?? []), set]);
      }
      fields.push(CacheKeys.directoryFields.measure(measure), JSON.stringify(sets));
    }
    for (const [frequency, sets] of byFrequency)
      fields.push(CacheKeys.directoryFields.frequency(frequency), JSON.stringify(sets));
    if (fields.length === 0) return;
    const key = CacheKeys.indexPrefix(datasourceId, generation) + INDEX.directory();
    for (let i = 0; i < fields.length; i += 1_000) await this.redis.hset(key, ...fields.slice(i, i + 1_000));
  }

  /**
   * Generations of a datasource that still hold keys, among every generation ever allocated (1 … nextGen): a
   * generation's `ranges` hash exists while it has entries (both are written in one MULTI, and deleteGeneration
   * removes a range only after its entries), its registry and directory until the very end. Layout 1's master set
   * marks what a previous version wrote.
   */
  async storedGenerations(datasourceId: number): Promise<number[]> {
    const allocated = Number((await this.redis.hget(CacheKeys.meta(datasourceId), 'nextGen')) ?? 0);
    const stored: number[] = [];
    for (let first = 1; first <= allocated; first += EXISTS_BATCH) {
      const generations = Array.from({ length: Math.min(EXISTS_BATCH, allocated - first + 1) }, (_, i) => first + i);
      const pipeline = this.redis.pipeline();
      for (const generation of generations) {
        const prefix = CacheKeys.indexPrefix(datasourceId, generation);
        pipeline.exists(
          prefix + INDEX.ranges(),
          prefix + INDEX.registry(),
          prefix + INDEX.directory(),
          prefix + CacheKeys.legacy.master(),
        );
      }
      const results = (await pipeline.exec()) ?? [];
      generations.forEach((generation, i) => {
        if (Number(results[i]?.[1] ?? 0) > 0) stored.push(generation);
      });
    }
    return stored;
  }

  /**
   * Everything a deleted datasource (or one whose source is no longer allowed) left in Redis: its generations (after
   * an invalidation, so a running warm can no longer swap in), query and hourly usage counters. The meta hash goes too
   * unless a warm still holds the lock — it carries the bumped epoch that keeps that warm from swapping; the warm
   * deletes its own shadow as it stops.
   */
  async purgeDatasource(datasourceId: number): Promise<DeletionCounts> {
    await this.invalidate(datasourceId);
    const total: DeletionCounts = { keysDeleted: 0, indexesDeleted: 0, bytesFreed: 0 };
    for (const generation of await this.storedGenerations(datasourceId)) {
      const deleted = await this.deleteGeneration(datasourceId, generation);
      total.keysDeleted += deleted.keysDeleted;
      total.indexesDeleted += deleted.indexesDeleted;
      total.bytesFreed += deleted.bytesFreed;
    }
    await this.counters.forget(datasourceId);
    if ((await this.locks.lockHolder(datasourceId)) === null) await this.redis.unlink(CacheKeys.meta(datasourceId));
    return total;
  }

  /** Entries written to a generation: the sum of its batches' ranges (each written with its entries, atomically). */
  async countEntries(datasourceId: number, generation: number): Promise<number> {
    const counts = await this.redis.hvals(CacheKeys.indexPrefix(datasourceId, generation) + INDEX.ranges());
    return counts.reduce((sum, count) => sum + Number(count), 0);
  }

  /**
   * Makes `generation` live if nothing changed since the warm began and `lockToken` still holds the warming lock. With
   * a retention, the generation it replaces is kept as the previous one (SWAP). `rollback`: `generation` is the
   * retained previous generation, `summary` its stored fields.
   */
  async swap(
    datasourceId: number,
    expected: { live: number | null; epoch: string },
    generation: number,
    summary: LiveSummary | Record<string, string>,
    lockToken: string,
    rollback = false,
  ): Promise<SwapOutcome> {
    const fields = Object.entries(summary)
      .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)])
      .flat();
    const now = Date.now();
    return (await this.redis.eval(
      SWAP,
      3,
      CacheKeys.meta(datasourceId),
      CacheKeys.queryStats(datasourceId),
      CacheKeys.warmLock(datasourceId),
      expected.live === null ? '' : String(expected.live),
      expected.epoch,
      String(generation),
      lockToken,
      this.retentionMs > 0 ? String(now + this.retentionMs) : '',
      new Date(now).toISOString(),
      rollback ? '1' : '',
      ...fields,
    )) as SwapOutcome;
  }

  async invalidate(
    datasourceId: number,
  ): Promise<{ live: number | null; shadow: number | null; previous: number | null }> {
    const [live, shadow, previous] = (await this.redis.eval(
      INVALIDATE,
      2,
      CacheKeys.meta(datasourceId),
      CacheKeys.queryStats(datasourceId),
    )) as [string, string, string];
    const generation = (value: string): number | null => (value ? Number(value) : null);
    return { live: generation(live), shadow: generation(shadow), previous: generation(previous) };
  }

  /** `regionsChecked`: the caller has seen the dropped regions and the query does not overlap them. */
  async query(datasourceId: number, plan: QueryPlan, maxEntries: number, regionsChecked = false): Promise<QueryResult> {
    const reply = (await evalByDigest(
      this.redis,
      QUERY,
      1,
      CacheKeys.meta(datasourceId),
      CacheKeys.entryPrefixBase(datasourceId),
      CacheKeys.indexPrefixBase(datasourceId),
      regionsChecked ? '1' : '',
      String(maxEntries),
      plan.anyOf,
      ...plan.sets,
    )) as Array<string | number>;
    if (reply.length === 0) return { kind: 'cold' };
    const generation = Number(reply[0]);
    if (reply[1] === 'dropped')
      return { kind: 'dropped', generation, regions: JSON.parse(String(reply[2])) as AnalyticsQuery[] };
    if (reply[1] === 'too_broad') return { kind: 'too_broad', generation, count: Number(reply[2]), exact: true };
    const entries: CachedEntry[] = [];
    for (let i = 1; i < reply.length; i++) {
      const entry = decodeStoredEntry(String(reply[i]));
      if (!entry) throw new Error(`entry ${i} of generation ${generation} of datasource ${datasourceId} is malformed`);
      entries.push(entry);
    }
    return { kind: 'hit', generation, entries };
  }

  /**
   * The ids of the live generation's entries a plan matches, without reading their values and outside Lua (no unpack
   * limit, no long script): SSCAN of a single index set, SINTER of several (per set of the directory's union). For
   * selective invalidation, which feeds them to dropEntries; a plan needs at least one filter.
   */
  async matchingIds(datasourceId: number, plan: QueryPlan): Promise<number[]> {
    const live = await this.redis.hget(CacheKeys.meta(datasourceId), LIVE);
    if (!live) return [];
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, Number(live));
    const groups: string[][] = [];
    if (plan.anyOf !== '') {
      const listed = await this.redis.hget(indexPrefix + INDEX.directory(), plan.anyOf);
      for (const set of listed ? (JSON.parse(listed) as string[]) : []) groups.push([set, ...plan.sets]);
    } else if (plan.sets.length > 0) groups.push(plan.sets);
    const found = new Set<number>();
    for (const group of groups) {
      if (group.length > 1) {
        for (const id of await this.redis.sinter(...group.map((set) => indexPrefix + set))) found.add(Number(id));
        continue;
      }
      let cursor = '0';
      do {
        const [next, members] = await this.redis.sscan(indexPrefix + group[0], cursor, 'COUNT', SCAN_BATCH);
        cursor = next;
        for (const id of members) found.add(Number(id));
      } while (cursor !== '0');
    }
    return [...found];
  }

  /**
   * Marks a region of the live generation as dropped and releases the retained previous generation (see MARK_DROPPED):
   * `marked` false when the cache is cold; `released`: the previous generation, now free for the caller to delete.
   */
  async markDropped(
    datasourceId: number,
    region: AnalyticsQuery,
  ): Promise<{ marked: boolean; released: number | null }> {
    const [live, previous] = (await this.redis.eval(
      MARK_DROPPED,
      1,
      CacheKeys.meta(datasourceId),
      JSON.stringify(region),
    )) as [string, string];
    return { marked: live !== '', released: previous ? Number(previous) : null };
  }

  /** Drops some entries of the live generation and their index memberships, in paced batches (GenerationDeletion). */
  async dropEntries(datasourceId: number, ids: number[]): Promise<DeletionCounts> {
    return this.deletion.dropEntries(datasourceId, ids);
  }

  /** Deletes a whole generation without stalling Redis: paced batches sized by the bytes they free (GenerationDeletion). */
  async deleteGeneration(datasourceId: number, generation: number): Promise<DeletionCounts> {
    return this.deletion.deleteGeneration(datasourceId, generation);
  }

  /** Entries per (measure, frequency) of the live generation, from the sizes of its index sets. */
  async entriesByMeasureFrequency(
    datasourceId: number,
    generation: number,
    measures: string[],
    frequencies: string[],
  ): Promise<Array<{ measure: string; frequency: string; entries: number }>> {
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
    const pairs = measures.flatMap((measure) => frequencies.map((frequency) => ({ measure, frequency })));
    if (pairs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const pair of pairs) pipeline.scard(indexPrefix + INDEX.measureFrequency(pair.measure, pair.frequency));
    const results = (await pipeline.exec()) ?? [];
    return pairs
      .map((pair, i) => ({ ...pair, entries: Number(results[i]?.[1] ?? 0) }))
      .filter((row) => row.entries > 0);
  }
}
