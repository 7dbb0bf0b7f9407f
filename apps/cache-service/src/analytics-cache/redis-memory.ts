import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../redis/redis.module.js';

/** Redis INFO as the engine needs it. */
@Injectable()
export class RedisMemory {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  /** Redis memory now and its limit (0 = none), for the shadow-warming memory guard. */
  async memory(): Promise<{ used: number; max: number }> {
    const info = await this.redis.info('memory');
    const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return { used: field('used_memory'), max: field('maxmemory') };
  }
}
