import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { clientBucket } from '../common/client-address.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { RedisThrottlerStorage } from '../redis/redis-throttler.storage.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';

// Reserves one sign-in attempt of an account and (optionally) a client, atomically, before the password is checked:
// while either backs off, nothing is counted and the wait is returned; otherwise each counts the attempt as a failure
// (forgotten after the window without attempts) and, from its free attempts on, blocks the next one for 1 s, 2 s, 4 s …
// up to the maximum. Concurrent attempts thus see each other: at most the free attempts are ever checked.
// KEYS: failures and block of each tracker; ARGV: window ms, max ms, then each tracker's free attempts.
const RESERVE_SCRIPT = `
local wait = 0
for i = 2, #KEYS, 2 do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl > wait then wait = ttl end
end
if wait > 0 then return wait end
for i = 1, #KEYS, 2 do
  local failures = redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
  local free = tonumber(ARGV[2 + (i + 1) / 2])
  if failures >= free then
    redis.call('SET', KEYS[i + 1], '1', 'PX', math.floor(math.min(1000 * 2 ^ (failures - free), tonumber(ARGV[2]))))
  end
end
return 0
`;

// Gives a reserved attempt back to one tracker (its block goes when it is under the free attempts again).
// KEYS: failures, block; ARGV: free attempts.
const RELEASE_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures <= 0 then return 0 end
failures = redis.call('DECR', KEYS[1])
if failures < tonumber(ARGV[1]) then redis.call('DEL', KEYS[2]) end
return failures
`;

/** A reserved sign-in attempt: tell the throttle how it ended (left alone, it counts as failed). */
export interface SignInAttempt {
  succeeded(): Promise<void>;
  /** The password was never checked (the service was busy, the client went away): the attempt is given back. */
  notChecked(): Promise<void>;
}

const UNAUTHENTICATED_LIMIT = 'unauthenticated';

/**
 * Sign-in and credential guessing, counted in Redis so that every replica sees the same numbers:
 * - back-off per account and per client (an IPv6 client by its /64) after failed sign-ins, bounded so nobody can lock a
 *   real user out for long; each attempt is reserved before its password is hashed, so parallel guesses gain nothing;
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

  /**
   * Reserves one attempt for this account and client before the password is checked (429 while either backs off).
   * The attempt counts as failed unless `succeeded()` is called: a success clears the account's count and gives the
   * client's attempt back (one right password must not reset a scan of many accounts).
   */
  async reserveAttempt(email: string, ip: string | null): Promise<SignInAttempt> {
    const { accountFreeAttempts, ipFreeAttempts, maxSeconds, windowSeconds } = this.config.rateLimits.loginBackoff;
    const account = accountTracker(email);
    const client = ip ? `login-ip:${clientBucket(ip)}` : null;
    const trackers = client ? [account, client] : [account];
    const keys = trackers.flatMap((tracker) => [RedisKeys.loginFailures(tracker), RedisKeys.loginBlock(tracker)]);
    const free = client ? [accountFreeAttempts, ipFreeAttempts] : [accountFreeAttempts];
    const waitMs = Number(
      await this.failOpen(
        () => this.redis.eval(RESERVE_SCRIPT, keys.length, ...keys, windowSeconds * 1000, maxSeconds * 1000, ...free),
        0,
      ),
    );
    if (waitMs > 0) {
      throw AppError.rateLimited(`Too many failed sign-ins: try again in ${Math.ceil(waitMs / 1000)} s`, waitMs / 1000);
    }
    const giveBack = (tracker: string, freeAttempts: number) =>
      this.redis.eval(RELEASE_SCRIPT, 2, RedisKeys.loginFailures(tracker), RedisKeys.loginBlock(tracker), freeAttempts);
    const clientBack = () => (client ? [giveBack(client, ipFreeAttempts)] : []);
    return {
      succeeded: async () => {
        await this.failOpen(
          () =>
            Promise.all([
              this.redis.unlink(RedisKeys.loginFailures(account), RedisKeys.loginBlock(account)),
              ...clientBack(),
            ]),
          null,
        );
      },
      notChecked: async () => {
        await this.failOpen(() => Promise.all([giveBack(account, accountFreeAttempts), ...clientBack()]), null);
      },
    };
  }

  /** Before looking a credential up in the database: 429 while this client is over its budget of bad credentials. */
  async assertLookupAllowed(ip: string | null): Promise<void> {
    const waitMs = await this.failOpen(
      () => this.redis.pttl(RedisKeys.throttleBlock(UNAUTHENTICATED_LIMIT, ipTracker(ip))),
      0,
    );
    if (waitMs > 0) throw this.tooManyUnauthenticated(waitMs / 1000);
  }

  /** Counts a request whose credential was missing or invalid; 429 once the client is over its budget. */
  async credentialRejected(ip: string | null): Promise<void> {
    const { unauthenticatedPerMinute, unauthenticatedWindowSeconds } = this.config.rateLimits;
    const result = await this.failOpen(
      () =>
        this.storage.increment(
          ipTracker(ip),
          unauthenticatedWindowSeconds * 1000,
          unauthenticatedPerMinute,
          0,
          UNAUTHENTICATED_LIMIT,
        ),
      null,
    );
    if (result?.isBlocked) throw this.tooManyUnauthenticated(result.timeToBlockExpire);
  }

  private tooManyUnauthenticated(seconds: number): AppError {
    return AppError.rateLimited(
      'Too many requests with a missing or invalid credential from this client: retry later',
      seconds,
    );
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

/** The back-off tracker of an account: hashed, so key names (visible in the Redis tools) do not list who is attacked. */
export const accountTracker = (email: string): string =>
  `login:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32)}`;

const ipTracker = (ip: string | null): string => `ip:${clientBucket(ip)}`;
