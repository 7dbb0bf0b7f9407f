import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { ReplicationAdmin, type SlotState } from './replication-admin.js';

/** A scrape (and the details page) reads the slots at most this often: one catalog query, shared. */
const SLOTS_MAX_AGE_MS = 2_000;

/**
 * The replication slots of CDC datasources as the source reports them, cached briefly, and their gauges on /metrics:
 * `ccc_cdc_slot_lag_bytes` (WAL the slot retains: the source's current WAL position − what the cache confirmed) and
 * `ccc_cdc_slot_active` (1 while a worker streams it). Read from the server, so every role reports them.
 */
@Injectable()
export class SlotFigures implements OnModuleInit {
  private cached: { at: number; value: Promise<SlotState[]> } | null = null;

  constructor(
    private readonly admin: ReplicationAdmin,
    private readonly metrics: MetricsRegistry,
  ) {}

  /** The slots (empty when the source cannot be asked: lag unknown is no series rather than a made-up 0). */
  slots(): Promise<SlotState[]> {
    if (!this.cached || Date.now() - this.cached.at > SLOTS_MAX_AGE_MS) {
      this.cached = { at: Date.now(), value: this.admin.slots().catch(() => []) };
    }
    return this.cached.value;
  }

  onModuleInit(): void {
    const slots = (): Promise<SlotState[]> => this.slots();
    new Gauge({
      name: 'ccc_cdc_slot_lag_bytes',
      help: "WAL a CDC datasource's replication slot retains on the source (current WAL position − confirmed position)",
      labelNames: ['datasource_id'],
      registers: [this.metrics.registry],
      async collect() {
        this.reset();
        for (const slot of await slots()) this.set({ datasource_id: String(slot.datasourceId) }, slot.lagBytes);
      },
    });
    new Gauge({
      name: 'ccc_cdc_slot_active',
      help: "1 while a worker streams the CDC datasource's replication slot, 0 when nobody consumes it",
      labelNames: ['datasource_id'],
      registers: [this.metrics.registry],
      async collect() {
        this.reset();
        for (const slot of await slots()) this.set({ datasource_id: String(slot.datasourceId) }, slot.active ? 1 : 0);
      },
    });
  }
}
