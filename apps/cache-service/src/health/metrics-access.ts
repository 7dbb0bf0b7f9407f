import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { bearerTokenOf } from '../access/auth.decorators.js';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Who may read /metrics: METRICS=public (anyone), token (`Authorization: Bearer <METRICS_TOKEN>`), off (nobody). */
@Injectable()
export class MetricsAccess {
  private readonly expected: Buffer | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.expected = config.http.metricsToken ? digest(config.http.metricsToken) : null;
  }

  assertAllowed(authorization: string | undefined): void {
    const mode = this.config.http.metrics;
    if (mode === 'public') return;
    if (mode === 'off') throw new AppError('NOT_FOUND', 'Metrics are turned off on this service (METRICS=off)');
    const presented = bearerTokenOf(authorization);
    // Digests have equal lengths, so the comparison takes the same time whatever was sent.
    if (!presented || !this.expected || !timingSafeEqual(digest(presented), this.expected)) {
      throw AppError.unauthenticated('Metrics need Authorization: Bearer <METRICS_TOKEN>');
    }
  }
}
