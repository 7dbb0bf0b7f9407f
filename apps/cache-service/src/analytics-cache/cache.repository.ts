import type { AnalyticsQuery } from '@ccc/shared-types';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { CacheKeys, hourOf, RedisKeys, type EntryCoordinates } from '../redis/redis-keys.js';
import { CLAIM_LOCK, RELEASE_JOB_LOCK, RELEASE_LOCK, RENEW_LOCK } from '../redis/lock-scripts.js';
import { BEGIN_WARM, INVALIDATE, MARK_DROPPED, QUERY, SWAP } from './cache-scripts.js';
import { DEFAULT_DELETION_PACING, GenerationDeletion, type DeletionCounts } from './generation-deletion.js';
import { hitRateWindowMinutes, MINUTE_USAGE_TTL_SECONDS, minutesStillKept, sumUsage, type WindowUsage } from './hit-rate.js';

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

export type QueryPlan =
  | { mode: 'key'; suffix: string }
  | { mode: 'sets'; sets: string[]; suffixFilter: string };

export type QueryResult =
  | { kind: 'cold' }
  /** `exact` false: `count` is an upper bound (the set the query would have had to read and filter). */
  | { kind: 'dropped'; generation: number; regions: AnalyticsQuery[] }
  | { kind: 'too_broad'; generation: number; count: number; exact: boolean }
  | { kind: 'hit'; generation: number; entries: Array<{ suffix: string; value: string }> };

export type { DeletionCounts } from './generation-deletion.js';

/** Generations checked for existence per pipeline. */
const EXISTS_BATCH = 500;
/** How long the hourly usage counters are kept (older hours live on in the daily usage patterns). */
const USAGE_RETENTION_HOURS = 8 * 24;
const HOUR_MS = 3_600_000;
const SCAN_BATCH = 1_000;
const num = (value: string | undefined): number => (value ? Number(value) : 0);

/** The only code that talks to Redis about the analytics cache (DESIGN.md §3). */
@Injectable()
export class CacheRepository {
  private readonly deletion: GenerationDeletion;

  /** `config` absent (code built outside Nest, like the bench's): the default deletion pacing. */
  constructor(@Inject(REDIS) private readonly redis: RedisClient, @Optional() @Inject(APP_CONFIG) config?: AppConfig) {
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

  async beginWarm(datasourceId: number): Promise<{ shadow: number; live: number | null; epoch: string }> {
    const [shadow, live, epoch] = (await this.redis.eval(BEGIN_WARM, 1, CacheKeys.meta(datasourceId))) as [number, string, string];
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
      for (const generation of generations) pipeline.exists(CacheKeys.indexPrefix(datasourceId, generation) + CacheKeys.indexSuffixes.master());
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
    // Every hour and minute the counters can still be kept for (and some ahead, for clocks that differ): one slot, one UNLINK.
    const now = Date.now();
    const hours = Array.from({ length: USAGE_RETENTION_HOURS + 2 }, (_, i) => hourOf(new Date(now + HOUR_MS - i * HOUR_MS)));
    const usage = [...hours.map((hour) => CacheKeys.hourlyUsage(datasourceId, hour)), ...minutesStillKept(now).map((minute) => CacheKeys.minuteUsage(datasourceId, minute))];
    await this.redis.unlink(CacheKeys.queryStats(datasourceId), ...usage);
    if ((await this.lockHolder(datasourceId)) === null) await this.redis.unlink(CacheKeys.meta(datasourceId));
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
    const fields = Object.entries({ ...summary, frequencies: JSON.stringify(summary.frequencies), measureList: JSON.stringify(summary.measureList) }).flatMap(([key, value]) => [key, String(value)]);
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
    const [live, shadow] = (await this.redis.eval(INVALIDATE, 2, CacheKeys.meta(datasourceId), CacheKeys.queryStats(datasourceId))) as [string, string];
    return { live: live ? Number(live) : null, shadow: shadow ? Number(shadow) : null };
  }

  /** `regionsChecked`: the caller has seen the dropped regions and the query does not overlap them. */
  async query(datasourceId: number, plan: QueryPlan, maxEntries: number, regionsChecked = false): Promise<QueryResult> {
    const mode = `${plan.mode}${regionsChecked ? '!' : ''}`;
    const args = plan.mode === 'key' ? [mode, String(maxEntries), '', plan.suffix] : [mode, String(maxEntries), plan.suffixFilter, ...plan.sets];
    const reply = (await this.redis.eval(
      QUERY,
      1,
      CacheKeys.meta(datasourceId),
      CacheKeys.entryPrefixBase(datasourceId),
      CacheKeys.indexPrefixBase(datasourceId),
      ...args,
    )) as Array<string | number>;
    if (reply.length === 0) return { kind: 'cold' };
    const generation = Number(reply[0]);
    if (reply[1] === 'dropped') return { kind: 'dropped', generation, regions: JSON.parse(String(reply[2])) as AnalyticsQuery[] };
    if (reply[1] === 'too_broad') return { kind: 'too_broad', generation, count: Number(reply[2]), exact: reply[3] !== '0' };
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
    if (plan.sets.length > 1) return (await this.redis.sinter(...plan.sets.map((set) => indexPrefix + set))).filter(keep);
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

  /*
   * The warming lock of a datasource holds the job id while the job is queued, and `<job id>#<execution>`
   * while a worker runs it: two executions of one job (BullMQ hands a job it thinks stalled to another
   * worker while the first may still be alive) then hold different tokens, and only the newer can renew,
   * swap or release.
   */

  /** Takes the lock for a queued job (value = job id) if it is free. */
  async acquireLock(datasourceId: number, value: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(CacheKeys.warmLock(datasourceId), value, 'PX', leaseMs, 'NX')) === 'OK';
  }

  /** Takes the lock for one execution of a job: from its queued lease, an earlier execution of it, or free. */
  async claimLock(datasourceId: number, jobId: string, token: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM_LOCK, 1, CacheKeys.warmLock(datasourceId), jobId, token, leaseMs)) === 1;
  }

  /** True while `token` (an execution's lock value) holds the lock. */
  async holdsLock(datasourceId: number, token: string): Promise<boolean> {
    return (await this.redis.get(CacheKeys.warmLock(datasourceId))) === token;
  }

  /** The id of the job holding the lock (queued or running), or null. */
  async lockHolder(datasourceId: number): Promise<string | null> {
    const value = await this.redis.get(CacheKeys.warmLock(datasourceId));
    return value === null ? null : value.split('#')[0];
  }

  /** Extends the lease if `value` (a job id or an execution token) still holds it. */
  async renewLock(datasourceId: number, value: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW_LOCK, 1, CacheKeys.warmLock(datasourceId), value, leaseMs)) === 1;
  }

  /** Frees the lock if `value` (a job id or an execution token) holds it. */
  async releaseLock(datasourceId: number, value: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, CacheKeys.warmLock(datasourceId), value);
  }

  /** Frees the lock if any execution of the job holds it (for a job BullMQ gave up on). */
  async releaseJobLock(datasourceId: number, jobId: string): Promise<void> {
    await this.redis.eval(RELEASE_JOB_LOCK, 1, CacheKeys.warmLock(datasourceId), jobId);
  }

  async setControl(jobId: string, command: 'pause' | 'resume' | 'cancel'): Promise<void> {
    await this.redis.set(RedisKeys.warmControl(jobId), command, 'EX', 24 * 3600);
  }

  async control(jobId: string): Promise<string | null> {
    return this.redis.get(RedisKeys.warmControl(jobId));
  }

  async clearControl(jobId: string): Promise<void> {
    await this.redis.del(RedisKeys.warmControl(jobId));
  }

  /** Redis memory now and its limit (0 = none), for the shadow-warming memory guard. */
  async memory(): Promise<{ used: number; max: number }> {
    const info = await this.redis.info('memory');
    const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return { used: field('used_memory'), max: field('maxmemory') };
  }

  /**
   * Adds one datasource's aggregated query counters (and its hourly usage counters) in one MULTI: its keys
   * share the `{ds:N}` hash tag (one Cluster slot), and all or nothing is applied, so a caller may safely
   * keep the tallies and retry when this throws.
   */
  async addQueryCounters(datasourceId: number, counters: Array<{ hits: number; misses: number; latencyMicros: number; hour: string; minute?: string }>): Promise<void> {
    if (counters.length === 0) return;
    const pipeline = this.redis.multi();
    for (const c of counters.map((counter) => ({ ...counter, datasourceId }))) {
      const stats = CacheKeys.queryStats(c.datasourceId);
      pipeline.hincrby(stats, 'hits', c.hits);
      pipeline.hincrby(stats, 'misses', c.misses);
      pipeline.hincrby(stats, 'latencyMicros', c.latencyMicros);
      // Live traffic also counts per minute, for the hit-rate window; a replayed history (the demo's) has no minute.
      const usage = [{ key: CacheKeys.hourlyUsage(c.datasourceId, c.hour), ttl: USAGE_RETENTION_HOURS * 3600 }];
      if (c.minute !== undefined) usage.push({ key: CacheKeys.minuteUsage(c.datasourceId, c.minute), ttl: MINUTE_USAGE_TTL_SECONDS });
      for (const { key, ttl } of usage) {
        pipeline.hincrby(key, 'requests', c.hits + c.misses).hincrby(key, 'hits', c.hits).hincrby(key, 'latencyMicros', c.latencyMicros).expire(key, ttl);
      }
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /** Hourly query-API counters for the given UTC hours (`YYYYMMDDHH`), zeros without traffic; kept 8 days. */
  async hourlyUsage(datasourceId: number, hours: string[]): Promise<Array<{ hour: string; requests: number; hits: number; latencyMicros: number }>> {
    const usage = await this.readUsage(hours.map((hour) => CacheKeys.hourlyUsage(datasourceId, hour)));
    return usage.map((u, i) => ({ hour: hours[i], ...u }));
  }

  /** The datasource's requests, hits and latency over the hit-rate window ending at `now` (hit-rate.ts). */
  async windowUsage(datasourceId: number, now = new Date()): Promise<WindowUsage> {
    return sumUsage(await this.readUsage(hitRateWindowMinutes(now).map((minute) => CacheKeys.minuteUsage(datasourceId, minute))));
  }

  private async readUsage(keys: string[]): Promise<WindowUsage[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const results = (await pipeline.exec()) ?? [];
    return keys.map((_, i) => {
      const raw = (results[i]?.[1] ?? {}) as Record<string, string>;
      return { requests: num(raw.requests), hits: num(raw.hits), latencyMicros: num(raw.latencyMicros) };
    });
  }

  async queryCounters(datasourceId: number): Promise<{ hits: number; misses: number; latencyMicros: number }> {
    const raw = await this.redis.hgetall(CacheKeys.queryStats(datasourceId));
    return { hits: num(raw.hits), misses: num(raw.misses), latencyMicros: num(raw.latencyMicros) };
  }

  /** Entries per (measure, frequency) of the live generation, from the sizes of its index sets. */
  async entriesByMeasureFrequency(datasourceId: number, generation: number, measures: string[], frequencies: string[]): Promise<Array<{ measure: string; frequency: string; entries: number }>> {
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
    const pairs = measures.flatMap((measure) => frequencies.map((frequency) => ({ measure, frequency })));
    if (pairs.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const pair of pairs) pipeline.scard(indexPrefix + CacheKeys.indexSuffixes.measureFrequency(pair.measure, pair.frequency));
    const results = (await pipeline.exec()) ?? [];
    return pairs.map((pair, i) => ({ ...pair, entries: Number(results[i]?.[1] ?? 0) })).filter((row) => row.entries > 0);
  }
}
