import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { THROTTLER_SKIP } from '@nestjs/throttler/dist/throttler.constants.js';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@ccc/shared-types';
import type { AppConfig } from '../config/app-config.js';
import { AppError } from './app-error.js';
import { clientBucket } from './client-address.js';

/** Expensive operations share one budget per user across all routes of their class (seed: 10/h warm, 20/h invalidate). */
export type RateLimitClass = 'warming' | 'invalidation';
export const RATE_LIMIT_CLASS = 'ccc:rateLimitClass';
export const RateLimited = (limitClass: RateLimitClass): MethodDecorator => SetMetadata(RATE_LIMIT_CLASS, limitClass);

const classOf = (context: ExecutionContext): RateLimitClass | undefined =>
  Reflect.getMetadata(RATE_LIMIT_CLASS, context.getHandler()) as RateLimitClass | undefined;

export function throttlerOptions(config: AppConfig): ThrottlerModuleOptions {
  const classWindowMs = config.rateLimits.classWindowSeconds * 1000;
  return {
    throttlers: [
      { name: 'default', ttl: 60_000, limit: config.rateLimits.defaultPerMinute },
      {
        name: 'login',
        ttl: 60_000,
        limit: config.rateLimits.loginPerMinute,
        skipIf: (context) => !(context.getClass().name === 'AuthController' && context.getHandler().name === 'login'),
      },
      {
        name: 'warming',
        ttl: classWindowMs,
        limit: config.rateLimits.warmingPerHour,
        skipIf: (context) => classOf(context) !== 'warming',
      },
      {
        name: 'invalidation',
        ttl: classWindowMs,
        limit: config.rateLimits.invalidationPerHour,
        skipIf: (context) => classOf(context) !== 'invalidation',
      },
    ],
  };
}

/**
 * Limits per principal (user or API key), falling back to the client IP before authentication. Nest asks it through
 * PrincipalThrottlerGuard, which lets a route that no limit applies to through before it.
 */
@Injectable()
export class PrincipalLimits extends ThrottlerGuard {
  private readonly unlimited = new WeakMap<object, boolean>();

  /**
   * Whether no limit applies to the route (every limit skipped by @SkipThrottle or by its skipIf, which look only at
   * the route): worked out once per handler, not on every request — the query API serves thousands a second.
   */
  isUnlimited(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let skip = this.unlimited.get(handler);
    if (skip === undefined) {
      const targets = [handler, context.getClass()];
      skip = this.throttlers.every(
        (throttler) =>
          this.reflector.getAllAndOverride<boolean>(THROTTLER_SKIP + throttler.name, targets) === true ||
          throttler.skipIf?.(context) === true,
      );
      this.unlimited.set(handler, skip);
    }
    return skip;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.isUnlimited(context);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    // The auth guard has set `principal` by now (it runs first); plumbing reads it structurally, not through auth/.
    const principal = (req as { principal?: Principal }).principal;
    return principal
      ? `${principal.kind}:${principal.id}`
      : `ip:${clientBucket((req as unknown as FastifyRequest).ip ?? null)}`;
  }

  /** One budget per tracker and limit name, shared by every route of the class. */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  /** The one 429 of the service: the exception filter answers it (body `details.retryAfterSeconds`, `Retry-After`). */
  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw AppError.rateLimited('Too many requests: rate limit exceeded, retry later', detail.timeToBlockExpire);
  }
}

/**
 * The global rate-limit guard. A route without limits is answered synchronously (Nest then awaits nothing for it),
 * any other goes through PrincipalLimits, ThrottlerGuard's asynchronous path with its Redis counter.
 */
@Injectable()
export class PrincipalThrottlerGuard implements CanActivate {
  constructor(private readonly limits: PrincipalLimits) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.limits.isUnlimited(context) || this.limits.canActivate(context);
  }
}
