import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { CacheKeys, RedisKeys } from '../redis/redis-keys.js';
import { CLAIM_LOCK, RELEASE_JOB_LOCK, RELEASE_LOCK, RENEW_LOCK } from '../redis/lock-scripts.js';

/**
 * The warming lock of a datasource holds the job id while the job is queued, and `<job id>#<execution>`
 * while a worker runs it: two executions of one job (BullMQ hands a job it thinks stalled to another
 * worker while the first may still be alive) then hold different tokens, and only the newer can renew,
 * swap or release.
 *
 * Also the control word of a running job (pause, resume, cancel), which its worker polls between batches.
 */
@Injectable()
export class WarmLocks {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

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

  /**
   * The lease of one running deletion of a datasource's generations (one at a time: see WarmingProcessor): taken when
   * free, renewed and released by its holder's token.
   */
  async takeDeletionLease(datasourceId: number, token: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(RedisKeys.lease(`gc:${datasourceId}`), token, 'PX', leaseMs, 'NX')) === 'OK';
  }

  async renewDeletionLease(datasourceId: number, token: string, leaseMs: number): Promise<void> {
    await this.redis.eval(RENEW_LOCK, 1, RedisKeys.lease(`gc:${datasourceId}`), token, leaseMs);
  }

  async releaseDeletionLease(datasourceId: number, token: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, RedisKeys.lease(`gc:${datasourceId}`), token);
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
}
