import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisThrottlerStorage } from '../redis/redis-throttler.storage.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';

// One more failure: count it (forgotten after the window without failures) and, from the free attempts on, block the
// next attempt for 1 s, 2 s, 4 s … up to the maximum. KEYS: failures, block; ARGV: window ms, free attempts, max ms.
const LOGIN_FAILURE_SCRIPT = `
local failures = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local free = tonumber(ARGV[2])
if failures < free then return 0 end
local delay = math.floor(math.min(1000 * 2 ^ (failures - free), tonumber(ARGV[3])))
redis.call('SET', KEYS[2], '1', 'PX', delay)
return delay
`;

const UNAUTHENTICATED_LIMIT = 'unauthenticated';

/**
 * Sign-in and credential guessing, counted in Redis so that every replica sees the same numbers:
 * - back-off per account and per client IP after failed sign-ins (bounded, so nobody can lock a real user out for long);
 * - a per-IP budget of requests with a missing or invalid credential, checked before a credential is looked up.
 * Redis being away fails open (like the other rate limits): availability over a few more guesses.
 */
@Injectable()
export class SignInThrottle {
  private readonly logger = new Logger('SignInThrottle');
  private readonly storage: RedisThrottlerStorage;
  private lastWarning = 0;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.storage = new RedisThrottlerStorage(redis);
  }

  /** 429 while the account or the client is backing off. */
  async assertLoginAllowed(email: string, ip: string | null): Promise<void> {
    const waits = await this.failOpen(
      () => Promise.all(this.loginTrackers(email, ip).map((tracker) => this.redis.pttl(RedisKeys.loginBlock(tracker)))),
      [0],
    );
    const waitMs = Math.max(0, ...waits);
    if (waitMs > 0) {
      throw AppError.rateLimited(`Too many failed sign-ins: try again in ${Math.ceil(waitMs / 1000)} s`, waitMs / 1000);
    }
  }

  async loginFailed(email: string, ip: string | null): Promise<void> {
    const { accountFreeAttempts, ipFreeAttempts, maxSeconds, windowSeconds } = this.config.rateLimits.loginBackoff;
    const [account, client] = this.loginTrackers(email, ip);
    const record = (tracker: string, free: number) =>
      this.redis.eval(LOGIN_FAILURE_SCRIPT, 2, RedisKeys.loginFailures(tracker), RedisKeys.loginBlock(tracker), windowSeconds * 1000, free, maxSeconds * 1000);
    await this.failOpen(() => Promise.all([record(account, accountFreeAttempts), ...(client ? [record(client, ipFreeAttempts)] : [])]), null);
  }

  /** A successful sign-in clears the account's failures (not the client's: one right password must not reset a scan). */
  async loginSucceeded(email: string): Promise<void> {
    const [account] = this.loginTrackers(email, null);
    await this.failOpen(() => Promise.all([this.redis.unlink(RedisKeys.loginFailures(account)), this.redis.unlink(RedisKeys.loginBlock(account))]), null);
  }

  /** Before looking a credential up in the database: 429 while this client is over its budget of bad credentials. */
  async assertLookupAllowed(ip: string | null): Promise<void> {
    const waitMs = await this.failOpen(() => this.redis.pttl(RedisKeys.throttleBlock(UNAUTHENTICATED_LIMIT, this.ipTracker(ip))), 0);
    if (waitMs > 0) throw this.tooManyUnauthenticated(waitMs / 1000);
  }

  /** Counts a request whose credential was missing or invalid; 429 once the client is over its budget. */
  async credentialRejected(ip: string | null): Promise<void> {
    const result = await this.failOpen(
      () => this.storage.increment(this.ipTracker(ip), 60_000, this.config.rateLimits.unauthenticatedPerMinute, 0, UNAUTHENTICATED_LIMIT),
      null,
    );
    if (result?.isBlocked) throw this.tooManyUnauthenticated(result.timeToBlockExpire);
  }

  private tooManyUnauthenticated(seconds: number): AppError {
    return AppError.rateLimited('Too many requests with a missing or invalid credential from this client: retry later', seconds);
  }

  private loginTrackers(email: string, ip: string | null): string[] {
    // Hashed: the key names (visible in the Redis tools) should not list who is being attacked.
    const account = `login:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32)}`;
    return ip ? [account, `login-ip:${ip}`] : [account];
  }

  private ipTracker(ip: string | null): string {
    return `ip:${ip ?? 'unknown'}`;
  }

  private async failOpen<T, F>(action: () => Promise<T>, fallback: F): Promise<T | F> {
    try {
      return await action();
    } catch (error) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`sign-in limits not enforced: ${(error as Error).message}`);
      }
      return fallback;
    }
  }
}
