import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { routeLabelOf } from '../telemetry/route-label.js';

/** The Prometheus registry: process metrics, HTTP latency by route and pending recommendations (cache, queue and alert metrics: telemetry/metric-definitions.ts). */
@Injectable()
export class MetricsService {
  readonly registry: Registry;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    audit: AuditService,
    registries: MetricsRegistry,
  ) {
    this.registry = registries.registry;
    collectDefaultMetrics({ register: this.registry, prefix: 'ccc_' });
    // prom-client names three gauges *_total, which Prometheus' lint refuses (`promtool check metrics`); its
    // ccc_nodejs_active_resources{type} says the same.
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total'])
      this.registry.removeSingleMetric(`ccc_nodejs_${name}`);
    this.httpDuration = new Histogram({
      name: 'ccc_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    // Read at scrape time from PostgreSQL, so every replica (API or worker) reports the same figures.
    const metadata = this.db;
    new Gauge({
      name: 'ccc_recommendations_open',
      help: 'Optimization recommendations waiting for a decision (PENDING) or for implementation (APPROVED)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows: Array<{ status: string; count: number }> = await metadata
          .query(
            `SELECT implementation_status AS status, count(*)::int AS count FROM cache_optimization_recommendation
             WHERE implementation_status IN ('PENDING', 'APPROVED') GROUP BY 1`,
          )
          .catch(() => []);
        for (const status of ['PENDING', 'APPROVED'])
          this.set({ status }, rows.find((row) => row.status === status)?.count ?? 0);
      },
    });
    this.auditMetrics(audit);
  }

  /** The audit outbox (rows waiting for PostgreSQL, shared by the replicas) and the rows this process could not keep. */
  private auditMetrics(audit: AuditService): void {
    new Gauge({
      name: 'ccc_audit_outbox_rows',
      help: 'Audit rows waiting in the Redis outbox for PostgreSQL (at most AUDIT_OUTBOX_MAX_ROWS)',
      registers: [this.registry],
      async collect() {
        this.set(await audit.outboxLength().catch(() => 0));
      },
    });
    new Counter({
      name: 'ccc_audit_rows_lost_total',
      help: 'Audit rows this process could not keep: the outbox was full, or PostgreSQL and Redis both refused them (each logged as an error)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(audit.lostRows);
      },
    });
  }

  /** Fastify onResponse hook; the route label is the matched template, never the raw path (bounded cardinality). */
  readonly onResponse = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    this.httpDuration.observe(
      { method: req.method, route: routeLabelOf(req), status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  };

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
