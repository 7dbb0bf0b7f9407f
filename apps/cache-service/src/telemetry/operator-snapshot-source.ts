import { Injectable } from '@nestjs/common';

/** What one scrape reports about the datasources, their alerts, the queues and Redis. */
export interface OperatorSnapshot {
  datasources: Array<{
    id: number;
    name: string;
    enabled: boolean;
    stalenessTtlSeconds: number;
    /** false when Redis did not answer for it: its cache figures are unknown (left out, not reported as cold). */
    known: boolean;
    generation: number | null;
    entries: number;
    bytes: number;
    ageSeconds: number | null;
    /** Seconds since each other Redis region's live generation was warmed (REDIS_REGIONS; absent: cold or unreachable). */
    regionAgeSeconds?: Record<string, number>;
    warming: boolean;
  }>;
  alerts: {
    open: Array<{ datasourceId: number | null; severity: string; count: number }>;
    byType: Array<{ alertType: string; severity: string; status: string; count: number }>;
    /** 0 when PostgreSQL answered now; else the age of the figures above (the last it gave). */
    stalenessSeconds: number;
  };
  queues: Record<string, Record<string, number>>;
  /** null when Redis did not answer INFO. */
  redis: { usedBytes: number; maxBytes: number; evictedKeys: number } | null;
}

const NOTHING_YET: OperatorSnapshot = {
  datasources: [],
  alerts: { open: [], byType: [], stalenessSeconds: 0 },
  queues: {},
  redis: null,
};

/**
 * Where the scrape-time gauges get their snapshot. The snapshot reads the engine, warming and alerts, which
 * themselves report through telemetry; so the reader (observability/operator-snapshot.ts) attaches itself here at
 * start-up instead of telemetry importing it.
 */
@Injectable()
export class OperatorSnapshotSource {
  private reader: (() => Promise<OperatorSnapshot>) | null = null;

  attach(reader: () => Promise<OperatorSnapshot>): void {
    this.reader = reader;
  }

  get(): Promise<OperatorSnapshot> {
    return this.reader ? this.reader() : Promise.resolve(NOTHING_YET);
  }
}
