import type { AnalyticsQuery } from '@ccc/shared-types';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { CacheKeys, type EntryCoordinates } from '../redis/redis-keys.js';
import { evalByDigest } from '../redis/lua-script.js';
import { BEGIN_WARM, INVALIDATE, MARK_DROPPED, QUERY, SWAP } from './cache-scripts.js';
import { DEFAULT_DELETION_PACING, GenerationDeletion, type DeletionCounts } from './generation-deletion.js';
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
  shadowGeneration: number | null;
  epoch: number;
  lastWarmed: string | null;
  jobId: string | null;
  /** Regions of the live generation removed by selective invalidation (answered by the database). */
  droppedRegions: AnalyticsQuery[];
}

/** What a swap records about the generation it makes live. */
export interface LiveSummary extends GenerationFigures {
  lastWarmed: string;
  sourceRows: number;
  jobId: string;
}

export interface EntryToWrite {
  suffix: string;
  coordinates: EntryCoordinates;
  /** Encoded rows: a JSON array of [period, value] pairs, stored and served as is. */
  value: string;
}

export type QueryPlan = { mode: 'key'; suffix: string } | { mode: 'sets'; sets: string[]; suffixFilter: string };

export type QueryResult =
  | { kind: 'cold' }
  /** `exact` false: `count` is an upper bound (the set the query would have had to read and filter). */
  | { kind: 'dropped'; generation: number; regions: AnalyticsQuery[] }
  | { kind: 'too_broad'; generation: number; count: number; exact: boolean }
  | { kind: 'hit'; generation: number; entries: Array<{ suffix: string; value: string }> };

export type { DeletionCounts } from './generation-deletion.js';

/** Generations checked for existence per pipeline. */
const EXISTS_BATCH = 500;
const SCAN_BATCH = 1_000;
const num = (value: string | undefined): number => (value ? Number(value) : 0);

/**
 * The generations of the analytics cache in Redis (DESIGN.md §3): meta, warm writes, swap, consistent reads,
 * invalidation and deletion. Its neighbours: WarmLocks (the warming lock), UsageCounters (query counters),
 * RedisMemory (INFO).
 */
@Injectable()
export class CacheRepository {
  private readonly deletion: GenerationDeletion;

  /** `config` absent (code built outside Nest, like the bench's): the default deletion pacing. */
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly locks: WarmLocks,
    private readonly counters: UsageCounters,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.deletion = new GenerationDeletion(redis, config?.warming.deletion ?? DEFAULT_DELETION_PACING);
  }

  async meta(datasourceId: number): Promise<CacheMeta> {
    const raw = await this.redis.hgetall(CacheKeys.meta(datasourceId));
    return {
      generation: raw.gen ? Number(raw.gen) : null,
      shadowGeneration: raw.shadowGen ? Number(raw.shadowGen) : null,
      epoch: num(raw.epoch),
      lastWarmed: raw.lastWarmed ?? null,
      rows: num(raw.rows),
      entries: num(raw.entries),
      indexes: num(raw.indexes),
      bytes: num(raw.bytes),
      measures: num(raw.measures),
      practices: num(raw.practices),
      providers: num(raw.providers),
      frequencies: raw.frequencies ? (JSON.parse(raw.frequencies) as string[]) : [],
      measureList: raw.measureList ? (JSON.parse(raw.measureList) as string[]) : [],
      jobId: raw.jobId ?? null,
      droppedRegions: raw.dropped ? (JSON.parse(raw.dropped) as AnalyticsQuery[]) : [],
    };
  }

  /** The few meta fields a metrics scrape needs, without parsing the whole hash (its measure list can be long). */
  async liveFigures(
    datasourceId: number,
  ): Promise<{ generation: number | null; lastWarmed: string | null; entries: number; bytes: number }> {
    const [gen, lastWarmed, entries, bytes] = await this.redis.hmget(
      CacheKeys.meta(datasourceId),
      'gen',
      'lastWarmed',
      'entries',
      'bytes',
    );
    return {
      generation: gen ? Number(gen) : null,
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
   * One MULTI: an MSET of the entries and one multi-member SADD per index set they belong to, applied all
   * or nothing, so no entry is ever stored without its master-set membership (deleteGeneration finds
   * entries through it). Every key carries the datasource's hash tag: legal on Redis Cluster.
   */
  async writeBatch(datasourceId: number, generation: number, entries: EntryToWrite[]): Promise<void> {
    const entryPrefix = CacheKeys.entryPrefix(datasourceId, generation);
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
    const msetArgs: string[] = [];
    const members = new Map<string, string[]>();
    for (const entry of entries) {
      msetArgs.push(entryPrefix + entry.suffix, entry.value);
      for (const set of CacheKeys.indexSuffixesOf(entry.coordinates)) {
        const list = members.get(set);
        if (list) list.push(entry.suffix);
        else members.set(set, [entry.suffix]);
      }
    }
    const transaction = this.redis.multi();
    transaction.mset(...msetArgs);
    for (const [set, list] of members) transaction.sadd(indexPrefix + set, ...list);
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /**
   * Generations of a datasource that still hold keys, among every generation ever allocated (1 … nextGen):
   * a generation's master index set exists exactly while it has entries (both are written in one MULTI,
   * and deleteGeneration removes the master set last).
   */
  async storedGenerations(datasourceId: number): Promise<number[]> {
    const allocated = Number((await this.redis.hget(CacheKeys.meta(datasourceId), 'nextGen')) ?? 0);
    const stored: number[] = [];
    for (let first = 1; first <= allocated; first += EXISTS_BATCH) {
      const generations = Array.from({ length: Math.min(EXISTS_BATCH, allocated - first + 1) }, (_, i) => first + i);
      const pipeline = this.redis.pipeline();
      for (const generation of generations)
        pipeline.exists(CacheKeys.indexPrefix(datasourceId, generation) + CacheKeys.indexSuffixes.master());
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

  async countEntries(datasourceId: number, generation: number): Promise<number> {
    return this.redis.scard(CacheKeys.indexPrefix(datasourceId, generation) + CacheKeys.indexSuffixes.master());
  }

  /** Makes `generation` live if nothing changed since the warm began and `lockToken` still holds the warming lock. */
  async swap(
    datasourceId: number,
    expected: { live: number | null; epoch: string },
    generation: number,
    summary: LiveSummary,
    lockToken: string,
  ): Promise<'ok' | 'generation_changed' | 'invalidated' | 'lock_lost'> {
    const fields = Object.entries({
      ...summary,
      frequencies: JSON.stringify(summary.frequencies),
      measureList: JSON.stringify(summary.measureList),
    }).flatMap(([key, value]) => [key, String(value)]);
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
      ...fields,
    )) as 'ok' | 'generation_changed' | 'invalidated' | 'lock_lost';
  }

  async invalidate(datasourceId: number): Promise<{ live: number | null; shadow: number | null }> {
    const [live, shadow] = (await this.redis.eval(
      INVALIDATE,
      2,
      CacheKeys.meta(datasourceId),
      CacheKeys.queryStats(datasourceId),
    )) as [string, string];
    return { live: live ? Number(live) : null, shadow: shadow ? Number(shadow) : null };
  }

  /** `regionsChecked`: the caller has seen the dropped regions and the query does not overlap them. */
  async query(datasourceId: number, plan: QueryPlan, maxEntries: number, regionsChecked = false): Promise<QueryResult> {
    const mode = `${plan.mode}${regionsChecked ? '!' : ''}`;
    const args =
      plan.mode === 'key'
        ? [mode, String(maxEntries), '', plan.suffix]
        : [mode, String(maxEntries), plan.suffixFilter, ...plan.sets];
    const reply = (await evalByDigest(
      this.redis,
      QUERY,
      1,
      CacheKeys.meta(datasourceId),
      CacheKeys.entryPrefixBase(datasourceId),
      CacheKeys.indexPrefixBase(datasourceId),
      ...args,
    )) as Array<string | number>;
    if (reply.length === 0) return { kind: 'cold' };
    const generation = Number(reply[0]);
    if (reply[1] === 'dropped')
      return { kind: 'dropped', generation, regions: JSON.parse(String(reply[2])) as AnalyticsQuery[] };
    if (reply[1] === 'too_broad')
      return { kind: 'too_broad', generation, count: Number(reply[2]), exact: reply[3] !== '0' };
    const entries: Array<{ suffix: string; value: string }> = [];
    for (let i = 1; i < reply.length; i += 2) entries.push({ suffix: String(reply[i]), value: String(reply[i + 1]) });
    return { kind: 'hit', generation, entries };
  }

  /**
   * The suffixes of the live generation's entries a plan matches, without reading their values and outside
   * Lua (no unpack limit, no long script): SSCAN of a single index set or SINTER of several, then the
   * suffix filter here. For selective invalidation, which feeds them to dropEntries.
   */
  async matchingSuffixes(datasourceId: number, plan: QueryPlan): Promise<string[]> {
    const live = await this.redis.hget(CacheKeys.meta(datasourceId), 'gen');
    if (!live) return [];
    if (plan.mode === 'key') return [plan.suffix];
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, Number(live));
    const keep = (member: string): boolean => plan.suffixFilter === '' || member.endsWith(plan.suffixFilter);
    if (plan.sets.length > 1)
      return (await this.redis.sinter(...plan.sets.map((set) => indexPrefix + set))).filter(keep);
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, members] = await this.redis.sscan(indexPrefix + plan.sets[0], cursor, 'COUNT', SCAN_BATCH);
      cursor = next;
      for (const member of members) if (keep(member)) found.add(member);
    } while (cursor !== '0');
    return [...found];
  }

  /** Marks a region of the live generation as dropped (see MARK_DROPPED); false when the cache is cold. */
  async markDropped(datasourceId: number, region: AnalyticsQuery): Promise<boolean> {
    return (await this.redis.eval(MARK_DROPPED, 1, CacheKeys.meta(datasourceId), JSON.stringify(region))) !== '';
  }

  /** Drops some entries of the live generation and their index memberships, in paced batches (GenerationDeletion). */
  async dropEntries(datasourceId: number, suffixes: string[]): Promise<DeletionCounts> {
    return this.deletion.dropEntries(datasourceId, suffixes);
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
    for (const pair of pairs)
      pipeline.scard(indexPrefix + CacheKeys.indexSuffixes.measureFrequency(pair.measure, pair.frequency));
    const results = (await pipeline.exec()) ?? [];
    return pairs
      .map((pair, i) => ({ ...pair, entries: Number(results[i]?.[1] ?? 0) }))
      .filter((row) => row.entries > 0);
  }
}
