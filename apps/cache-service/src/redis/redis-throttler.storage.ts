import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { evalByDigest } from './lua-script.js';
import { RedisKeys } from './redis-keys.js';
import { REDIS, type RedisClient } from './redis.module.js';

// Fixed window counter plus an optional block, done atomically so that replicas share one count.
// KEYS[1] hits, KEYS[2] block; ARGV: ttl ms, limit, block duration ms.
const INCREMENT_SCRIPT = `
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or ARGV[2]) + 0, redis.call('PTTL', KEYS[1]), 1, blockTtl }
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
if hits > tonumber(ARGV[2]) then
  local blockMs = tonumber(ARGV[3])
  if blockMs <= 0 then blockMs = ttl end
  redis.call('SET', KEYS[2], '1', 'PX', blockMs)
  return { hits, ttl, 1, blockMs }
end
return { hits, ttl, 0, 0 }
`;

@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<{ totalHits: number; timeToExpire: number; isBlocked: boolean; timeToBlockExpire: number }> {
    let reply: [number, number, number, number];
    try {
      // By digest: the script's text is sent once per Redis, not with every request the limit counts.
      reply = (await evalByDigest(
        this.redis,
        INCREMENT_SCRIPT,
        2,
        RedisKeys.throttleHits(throttlerName, key),
        RedisKeys.throttleBlock(throttlerName, key),
        ttl,
        limit,
        blockDuration,
      )) as [number, number, number, number];
    } catch (error) {
      // Fail open: a Redis that cannot count (down, or at maxmemory) must not turn every request into a 500.
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`rate limits not enforced: ${(error as Error).message}`);
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
    const [hits, ttlMs, blocked, blockMs] = reply;
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(Math.max(blockMs, 0) / 1000),
    };
  }
}
