import { Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';

/** The one Prometheus registry of the process: /metrics (health/) serves it, telemetry and health define into it. */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
}
