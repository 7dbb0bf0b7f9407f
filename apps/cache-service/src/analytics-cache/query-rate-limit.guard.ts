import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../access/auth.decorators.js';
import { AppError } from '../common/app-error.js';
import { TokenBuckets } from '../common/token-buckets.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

/**
 * The query API's per-principal limit (RATE_LIMIT_QUERY_PER_SECOND): an in-process token bucket per user or API
 * key, checked after authentication. The general Redis-backed limit would cost this route a round trip per
 * request; this one costs a Map lookup. 429 RATE_LIMITED with Retry-After when a principal is over it.
 */
@Injectable()
export class QueryRateLimitGuard implements CanActivate {
  private readonly buckets: TokenBuckets;
  /** The buckets' clock in ms (monotonic); tests hold it still so that how fast they send does not matter. */
  clock: () => number = () => performance.now();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.buckets = new TokenBuckets(config.rateLimits.queryPerSecond, () => this.clock());
  }

  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) return true; // the credential guard has answered 401 already
    const waitSeconds = this.buckets.take(`${principal.kind}:${principal.id}`);
    if (waitSeconds > 0) {
      throw AppError.retryLater(
        'RATE_LIMITED',
        `Too many queries: at most ${this.config.rateLimits.queryPerSecond} per second per user or API key`,
        waitSeconds,
      );
    }
    return true;
  }
}
