import { Injectable } from '@nestjs/common';
import {
  defineOperatorMetrics,
  type NotificationChannel,
  type NotificationOutcome,
  type OperatorMetrics,
} from './metric-definitions.js';
import { MetricsRegistry } from './metrics-registry.js';
import { OperatorSnapshotSource } from './operator-snapshot-source.js';

export type QuerySource = 'cache' | 'database';
export type WarmOutcome = 'completed' | 'failed' | 'cancelled';

/**
 * Where the query path, the warming worker and the alert notifier report what happened; /metrics shows it
 * (metric-definitions.ts).
 */
@Injectable()
export class OperatorMetricsService {
  private readonly metrics: OperatorMetrics;

  constructor(registry: MetricsRegistry, snapshots: OperatorSnapshotSource) {
    this.metrics = defineOperatorMetrics(registry.registry, () => snapshots.get());
  }

  /** An answered query (`source` says who answered) or one that failed after its datasource was found. */
  query(datasourceId: number, source: QuerySource, outcome: 'ok' | 'error', seconds: number): void {
    const datasource_id = String(datasourceId);
    this.metrics.queries.inc({ datasource_id, source, outcome });
    if (outcome !== 'ok') return;
    this.metrics.queryDuration.observe({ datasource_id, source }, seconds);
    (source === 'cache' ? this.metrics.hits : this.metrics.misses).inc({ datasource_id });
  }

  /** A warm this process closed; duration and rows only count for a generation that went live. */
  warm(datasourceId: number, outcome: WarmOutcome, seconds: number | null, rows: number): void {
    const datasource_id = String(datasourceId);
    this.metrics.warms.inc({ datasource_id, outcome });
    if (outcome !== 'completed') return;
    if (seconds !== null) this.metrics.warmDuration.observe({ datasource_id }, seconds);
    this.metrics.rowsWarmed.inc({ datasource_id }, rows);
  }

  /** One delivery attempt of an alert notification, or its drop (out of date). */
  notification(channel: NotificationChannel, outcome: NotificationOutcome): void {
    this.metrics.notifications.inc({ channel, outcome });
  }
}
