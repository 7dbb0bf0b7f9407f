import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { CacheKeys } from '../redis/redis-keys.js';
import type { EntryToWrite } from './cache.repository.js';
import { encodeStoredEntry } from './entry-codec.js';

const INDEX = CacheKeys.indexSuffixes;
/** Ids one CARRY_ENTRIES call walks: ~1 ms of Redis time, so readers wait at most that long behind it. */
const CARRY_IDS_PER_CALL = 1_000;
/** Index sets one COPY_KEYS call copies (a set of 10,000 ids copies in well under a millisecond). */
const KEYS_PER_CALL = 100;
const SCAN_COUNT = 1_000;
/** Carry calls sent before waiting for their replies. */
const CALLS_IN_FLIGHT = 8;

/**
 * Copies a span of entry ids from one generation to another inside Redis, keeping their ids, except the excluded ones
 * (changed or deleted groups). An id without an entry (a gap a deletion left) copies nothing.
 * KEYS: meta (declares the datasource's slot; every key touched carries its hash tag). ARGV: source entry prefix,
 * target entry prefix, first id, count, then the excluded ids of the span. Returns the entries copied.
 */
const CARRY_ENTRIES = `
local excluded = {}
for i = 5, #ARGV do excluded[ARGV[i]] = true end
local first = tonumber(ARGV[3])
local copied = 0
for id = first, first + tonumber(ARGV[4]) - 1 do
  local name = tostring(id)
  if not excluded[name] then copied = copied + redis.call('COPY', ARGV[1] .. name, ARGV[2] .. name, 'REPLACE') end
end
return copied
`;

/** Copies keys by suffix from one prefix to another. KEYS: meta. ARGV: source prefix, target prefix, suffixes. */
const COPY_KEYS = `
local copied = 0
for i = 3, #ARGV do copied = copied + redis.call('COPY', ARGV[1] .. ARGV[i], ARGV[2] .. ARGV[i], 'REPLACE') end
return copied
`;

/** A group of a generation as its `groups` hash records it. */
export interface StoredGroup {
  id: number;
  rows: number;
}

/** What a generation covers, read back from its index sets' registry. */
export interface Coverage {
  measures: Set<string>;
  practices: Set<string>;
  providers: Set<string>;
  frequencies: Set<string>;
  measureFrequencies: Map<string, Set<string>>;
  /** Index sets in the registry (each measure-frequency, practice and provider set). */
  sets: number;
}

/**
 * The Redis side of an incremental refresh (issue 15): the base generation's group directory, and a new generation
 * built from it without a round trip through the service per entry — unchanged entries COPYed in Lua batches keeping
 * their ids, index sets copied whole and trimmed of the groups that disappeared.
 */
@Injectable()
export class GenerationCarry {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  /** The live generation's refresh bookkeeping in the meta hash (written by the swap: see RefreshRunner). */
  async refreshFields(datasourceId: number): Promise<{
    watermark: string | null;
    groupDirectory: boolean;
    signature: string | null;
    incrementals: number;
    fullAt: number | null;
    rolledBack: boolean;
  }> {
    const [watermark, groupDirectory, signature, incrementals, fullAt, rolledBack] = await this.redis.hmget(
      CacheKeys.meta(datasourceId),
      'watermark',
      'groupDir',
      'signature',
      'incrementals',
      'fullAt',
      'rolledBack',
    );
    return {
      watermark: watermark || null,
      groupDirectory: groupDirectory === '1',
      signature: signature || null,
      incrementals: Number(incrementals ?? 0),
      fullAt: fullAt ? Number(fullAt) : null,
      rolledBack: rolledBack === '1',
    };
  }

  /** The `groups` hash of a generation (HSCAN): group field → id and rows; empty when it was written without one. */
  async groups(datasourceId: number, generation: number): Promise<Map<string, StoredGroup>> {
    const key = CacheKeys.indexPrefix(datasourceId, generation) + INDEX.groups();
    const groups = new Map<string, StoredGroup>();
    let cursor = '0';
    do {
      const [next, fields] = await this.redis.hscan(key, cursor, 'COUNT', SCAN_COUNT);
      cursor = next;
      for (let i = 0; i < fields.length; i += 2) {
        const [id, rows] = fields[i + 1].split(':');
        groups.set(fields[i], { id: Number(id), rows: Number(rows) });
      }
    } while (cursor !== '0');
    return groups;
  }

  /** How many groups a generation's group directory holds (0: it has none). */
  async groupCount(datasourceId: number, generation: number): Promise<number> {
    return this.redis.hlen(CacheKeys.indexPrefix(datasourceId, generation) + INDEX.groups());
  }

  /** Some groups of a generation's group directory (HMGET, 1,000 fields a call); those it does not have are absent. */
  async lookup(datasourceId: number, generation: number, fields: string[]): Promise<Map<string, StoredGroup>> {
    const key = CacheKeys.indexPrefix(datasourceId, generation) + INDEX.groups();
    const found = new Map<string, StoredGroup>();
    for (let i = 0; i < fields.length; i += SCAN_COUNT) {
      const batch = fields.slice(i, i + SCAN_COUNT);
      const values = await this.redis.hmget(key, ...batch);
      values.forEach((value, j) => {
        if (value === null) return;
        const [id, rows] = value.split(':');
        found.set(batch[j], { id: Number(id), rows: Number(rows) });
      });
    }
    return found;
  }

  /** The next id after every id of a generation (its ranges: first id → count). */
  async nextId(datasourceId: number, generation: number): Promise<number> {
    const ranges = await this.redis.hgetall(CacheKeys.indexPrefix(datasourceId, generation) + INDEX.ranges());
    let next = 0;
    for (const [first, count] of Object.entries(ranges)) next = Math.max(next, Number(first) + Number(count));
    return next;
  }

  /**
   * Builds `to` from `from`: every entry but the `excluded` ids COPYed (same ids), the ranges, registry, index sets and
   * group directory copied (remove() then takes out the groups the source no longer has). Returns the entries copied.
   */
  async carry(datasourceId: number, from: number, to: number, excluded: Set<number>): Promise<number> {
    const meta = CacheKeys.meta(datasourceId);
    const fromIndex = CacheKeys.indexPrefix(datasourceId, from);
    const toIndex = CacheKeys.indexPrefix(datasourceId, to);
    const fromEntry = CacheKeys.entryPrefix(datasourceId, from);
    const toEntry = CacheKeys.entryPrefix(datasourceId, to);
    const [ranges, sets] = await Promise.all([
      this.redis.hgetall(fromIndex + INDEX.ranges()),
      this.redis.smembers(fromIndex + INDEX.registry()),
    ]);
    // Each call returns what it copied; only the entry calls' counts are the entries carried.
    const calls: Array<() => Promise<number>> = [];
    for (const [firstText, countText] of Object.entries(ranges)) {
      const end = Number(firstText) + Number(countText);
      for (let first = Number(firstText); first < end; first += CARRY_IDS_PER_CALL) {
        const count = Math.min(CARRY_IDS_PER_CALL, end - first);
        const skipped: string[] = [];
        for (let id = first; id < first + count; id++) if (excluded.has(id)) skipped.push(String(id));
        if (skipped.length === count) continue;
        calls.push(async () =>
          Number(await this.redis.eval(CARRY_ENTRIES, 1, meta, fromEntry, toEntry, first, count, ...skipped)),
        );
      }
    }
    const suffixes = [INDEX.ranges(), INDEX.registry(), INDEX.groups(), ...sets];
    for (let i = 0; i < suffixes.length; i += KEYS_PER_CALL) {
      const batch = suffixes.slice(i, i + KEYS_PER_CALL);
      calls.push(async () => (await this.redis.eval(COPY_KEYS, 1, meta, fromIndex, toIndex, ...batch), 0));
    }
    // A few calls in flight instead of one: each is still ~1 ms of Redis time with other clients served between two,
    // but the round trips and the service's turns no longer add up one after another (~40 calls per 40,000 entries).
    let copied = 0;
    for (let i = 0; i < calls.length; i += CALLS_IN_FLIGHT) {
      const results = await Promise.all(calls.slice(i, i + CALLS_IN_FLIGHT).map((call) => call()));
      copied += results.reduce((sum, result) => sum + result, 0);
    }
    return copied;
  }

  /**
   * Takes groups out of a generation's index sets and group directory, and (`entries`: they were carried over) their
   * entries.
   */
  async remove(
    datasourceId: number,
    generation: number,
    removed: Array<{ field: string; id: number }>,
    entries: boolean,
  ): Promise<void> {
    const toIndex = CacheKeys.indexPrefix(datasourceId, generation);
    if (removed.length > 0) {
      const bySet = new Map<string, string[]>();
      for (const { field, id } of removed) {
        for (const set of CacheKeys.indexSuffixesOf(CacheKeys.parseGroupField(field))) {
          const ids = bySet.get(set);
          if (ids) ids.push(String(id));
          else bySet.set(set, [String(id)]);
        }
      }
      const pipeline = this.redis.pipeline();
      for (const [set, ids] of bySet) pipeline.srem(toIndex + set, ...ids);
      const entryPrefix = CacheKeys.entryPrefix(datasourceId, generation);
      if (entries)
        for (let i = 0; i < removed.length; i += SCAN_COUNT)
          pipeline.unlink(...removed.slice(i, i + SCAN_COUNT).map((group) => entryPrefix + group.id));
      const fields = removed.map((group) => group.field);
      for (let i = 0; i < fields.length; i += SCAN_COUNT)
        pipeline.hdel(toIndex + INDEX.groups(), ...fields.slice(i, i + SCAN_COUNT));
      await this.execOrThrow(pipeline);
    }
  }

  /** Writes changed groups under the ids they had (their index memberships stay as copied), with their row counts. */
  async rewrite(datasourceId: number, generation: number, entries: EntryToWrite[]): Promise<void> {
    if (entries.length === 0) return;
    const entryPrefix = CacheKeys.entryPrefix(datasourceId, generation);
    const transaction = this.redis.multi();
    transaction.mset(...entries.flatMap((e) => [entryPrefix + e.id, encodeStoredEntry(e.coordinates, e.value)]));
    transaction.hset(
      CacheKeys.indexPrefix(datasourceId, generation) + INDEX.groups(),
      ...entries.flatMap((e) => [CacheKeys.groupField(e.coordinates), `${e.id}:${e.rows ?? 0}`]),
    );
    await this.execOrThrow(transaction);
  }

  /**
   * After the writes: index sets emptied by deletions leave the registry, and the coverage of what remains is read
   * back from it (the directory is rewritten from it by the caller). Returns that coverage and the number of groups.
   */
  async settle(datasourceId: number, generation: number): Promise<{ coverage: Coverage; groups: number }> {
    const indexPrefix = CacheKeys.indexPrefix(datasourceId, generation);
    const registry = indexPrefix + INDEX.registry();
    const sets = await this.redis.smembers(registry);
    const pipeline = this.redis.pipeline();
    for (const set of sets) pipeline.exists(indexPrefix + set);
    const exists = (await this.execOrThrow(pipeline)).map((result) => Number(result));
    const gone = sets.filter((_, i) => exists[i] === 0);
    if (gone.length > 0) await this.redis.srem(registry, ...gone);
    const coverage: Coverage = {
      measures: new Set(),
      practices: new Set(),
      providers: new Set(),
      frequencies: new Set(),
      measureFrequencies: new Map(),
      sets: sets.length - gone.length,
    };
    for (const set of sets) {
      if (gone.includes(set)) continue;
      const parsed = CacheKeys.parseIndexSuffix(set);
      if (!parsed) continue;
      if ('measure' in parsed) {
        coverage.measures.add(parsed.measure);
        coverage.frequencies.add(parsed.frequency);
        const frequencies = coverage.measureFrequencies.get(parsed.measure) ?? new Set<string>();
        frequencies.add(parsed.frequency);
        coverage.measureFrequencies.set(parsed.measure, frequencies);
      } else if ('practice' in parsed) coverage.practices.add(parsed.practice);
      else coverage.providers.add(parsed.provider);
    }
    const groups = await this.redis.hlen(indexPrefix + INDEX.groups());
    return { coverage, groups };
  }

  private async execOrThrow(batch: { exec(): Promise<Array<[Error | null, unknown]> | null> }): Promise<unknown[]> {
    const results = (await batch.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    return results.map(([, value]) => value);
  }
}
