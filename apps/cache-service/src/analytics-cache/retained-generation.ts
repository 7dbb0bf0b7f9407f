import type { PreviousGeneration } from '@ccc/shared-types';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { CacheKeys } from '../redis/redis-keys.js';
import { ALL_PREVIOUS_FIELDS, luaList, PREVIOUS_PREFIX, PreviousFields } from './generation-fields.js';

/** The generation a swap replaced, kept for a rollback until `expiresAt` (see SWAP). */
export interface RetainedGeneration {
  generation: number;
  rows: number;
  entries: number;
  indexes: number;
  bytes: number;
  /** When it was warmed (it went live then). */
  lastWarmed: string | null;
  /** When a swap replaced it. */
  retiredAt: string;
  expiresAtMs: number;
  jobId: string | null;
  /** Its meta fields as stored, without the prefix: what a rollback writes back as the live generation's. */
  fields: Record<string, string>;
}

/** The retained generation's own fields, beside the figures it had when live. */
const OWN_FIELDS = [PreviousFields.generation, PreviousFields.retiredAt, PreviousFields.expiresAt];
const num = (value: string | undefined): number => (value ? Number(value) : 0);

/** The retained generation a meta hash (HGETALL) records, or null. */
export function retainedOf(raw: Record<string, string>): RetainedGeneration | null {
  const generation = raw[PreviousFields.generation];
  if (!generation) return null;
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(raw)) {
    if (!field.startsWith(PREVIOUS_PREFIX) || OWN_FIELDS.includes(field)) continue;
    fields[field.slice(PREVIOUS_PREFIX.length)] = value;
  }
  return {
    generation: Number(generation),
    rows: num(fields.rows),
    entries: num(fields.entries),
    indexes: num(fields.indexes),
    bytes: num(fields.bytes),
    lastWarmed: fields.lastWarmed ?? null,
    retiredAt: raw[PreviousFields.retiredAt] ?? '',
    expiresAtMs: num(raw[PreviousFields.expiresAt]),
    jobId: fields.jobId ?? null,
    fields,
  };
}

/**
 * Before a generation is deleted: 'live' (never delete it), 'retained' (the previous generation, not yet expired:
 * keep it), 'released' (it was the previous one: its fields are gone, so no rollback can make it live again) or
 * 'free' (neither). One script, so that a rollback and a deletion never both win.
 * KEYS: meta. ARGV: generation, now (ms since the epoch), force ('1': release even before expiry, for memory).
 */
const RELEASE = `
if redis.call('HGET', KEYS[1], '${CacheKeys.liveField}') == ARGV[1] then return 'live' end
if redis.call('HGET', KEYS[1], '${PreviousFields.generation}') ~= ARGV[1] then return 'free' end
local expires = tonumber(redis.call('HGET', KEYS[1], '${PreviousFields.expiresAt}') or '0')
if ARGV[3] ~= '1' and expires > tonumber(ARGV[2]) then return 'retained' end
redis.call('HDEL', KEYS[1], unpack(${luaList(ALL_PREVIOUS_FIELDS)}))
return 'released'
`;

export type ReleaseOutcome = 'live' | 'retained' | 'released' | 'free';

/** The retained previous generation of each datasource in the meta hash (the keys are deleted by CacheRepository). */
@Injectable()
export class RetainedGenerations {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async of(datasourceId: number): Promise<RetainedGeneration | null> {
    return retainedOf(await this.redis.hgetall(CacheKeys.meta(datasourceId)));
  }

  /** See RELEASE: whether `generation` may be deleted now; a retained one past its expiry (or `force`d) is released. */
  async release(datasourceId: number, generation: number, force = false): Promise<ReleaseOutcome> {
    return (await this.redis.eval(
      RELEASE,
      1,
      CacheKeys.meta(datasourceId),
      String(generation),
      String(Date.now()),
      force ? '1' : '',
    )) as ReleaseOutcome;
  }
}

/** The retained generation as the API shows it. */
export function toPreviousGeneration(retained: RetainedGeneration | null): PreviousGeneration | null {
  if (!retained) return null;
  return {
    generation: retained.generation,
    entries: retained.entries,
    rows: retained.rows,
    indexCount: retained.indexes,
    estimatedMemoryMB: Math.round((retained.bytes / (1024 * 1024)) * 100) / 100,
    lastWarmed: retained.lastWarmed,
    retiredAt: retained.retiredAt,
    expiresAt: new Date(retained.expiresAtMs).toISOString(),
    jobId: retained.jobId,
  };
}
