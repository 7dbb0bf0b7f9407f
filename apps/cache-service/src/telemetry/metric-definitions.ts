import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OperatorSnapshot } from './operator-snapshot-source.js';

/**
 * Every metric an operator alerts on (deploy/prometheus/ holds the rules that read them), defined in one place.
 *
 * Labels stay bounded: `datasource_id` (one value per datasource, never a name or any other free text), a fixed
 * `source`, `outcome`, `severity`, `queue` or `state`. The one exception is `ccc_datasource_info`, a single series
 * per datasource whose `datasource` label carries the name, so that alerts and dashboards can join it for display.
 *
 * Two kinds: counters and histograms this process increments as things happen (queries served, warms finished),
 * and gauges read at scrape time from one shared snapshot of PostgreSQL and Redis (see OperatorSnapshot).
 */
export interface OperatorMetrics {
  queries: Counter<'datasource_id' | 'source' | 'outcome'>;
  queryDuration: Histogram<'datasource_id' | 'source'>;
  hits: Counter<'datasource_id'>;
  misses: Counter<'datasource_id'>;
  warms: Counter<'datasource_id' | 'outcome'>;
  warmDuration: Histogram<'datasource_id'>;
  rowsWarmed: Counter<'datasource_id'>;
  notifications: Counter<'channel' | 'outcome'>;
}

export const QUERY_SOURCES = ['cache', 'database'] as const;
export const QUERY_OUTCOMES = ['ok', 'error'] as const;
export const WARM_OUTCOMES = ['completed', 'failed', 'cancelled'] as const;
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;
/** Where alert notifications go: the Slack-compatible webhook and e-mail. */
export const NOTIFICATION_CHANNELS = ['webhook', 'email'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
/** sent; retried: an attempt failed and another follows; failed: the last attempt failed; dropped: out of date, not sent. */
export const NOTIFICATION_OUTCOMES = ['sent', 'retried', 'failed', 'dropped'] as const;
export type NotificationOutcome = (typeof NOTIFICATION_OUTCOMES)[number];
const SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;

export function defineOperatorMetrics(registry: Registry, snapshot: () => Promise<OperatorSnapshot>): OperatorMetrics {
  const registers = [registry];
  // Every datasource's counter series exist from the first scrape at 0, so that rate() and increase() see the first event.
  const zeroed = (init: (datasourceId: string) => void) =>
    async function collect(): Promise<void> {
      for (const d of (await snapshot()).datasources) init(String(d.id));
    };
  const metrics: OperatorMetrics = {
    queries: new Counter({
      name: 'ccc_cache_queries_total',
      help: 'Analytics queries by datasource, by what answered them (cache or database: the cache was cold or the region dropped) and outcome',
      labelNames: ['datasource_id', 'source', 'outcome'],
      registers,
      collect: zeroed((datasource_id) => {
        for (const source of QUERY_SOURCES)
          for (const outcome of QUERY_OUTCOMES) metrics.queries.inc({ datasource_id, source, outcome }, 0);
      }),
    }),
    queryDuration: new Histogram({
      name: 'ccc_cache_query_duration_seconds',
      help: 'Analytics query latency by datasource and source (cache or database), answered queries only',
      labelNames: ['datasource_id', 'source'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    hits: new Counter({
      name: 'ccc_cache_hits_total',
      help: 'Analytics queries answered from the live generation',
      labelNames: ['datasource_id'],
      registers,
      collect: zeroed((datasource_id) => metrics.hits.inc({ datasource_id }, 0)),
    }),
    misses: new Counter({
      name: 'ccc_cache_misses_total',
      help: 'Analytics queries the cache could not answer (cold cache or dropped region): the source database answered',
      labelNames: ['datasource_id'],
      registers,
      collect: zeroed((datasource_id) => metrics.misses.inc({ datasource_id }, 0)),
    }),
    warms: new Counter({
      name: 'ccc_warms_total',
      help: 'Warming jobs this process finished, by datasource and outcome (completed, failed, cancelled)',
      labelNames: ['datasource_id', 'outcome'],
      registers,
      collect: zeroed((datasource_id) => {
        for (const outcome of WARM_OUTCOMES) metrics.warms.inc({ datasource_id, outcome }, 0);
      }),
    }),
    warmDuration: new Histogram({
      name: 'ccc_warm_duration_seconds',
      help: 'Duration of completed warms, from the worker taking the job to the swap',
      labelNames: ['datasource_id'],
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    rowsWarmed: new Counter({
      name: 'ccc_warm_rows_total',
      help: 'Source rows read into generations that went live',
      labelNames: ['datasource_id'],
      registers,
      collect: zeroed((datasource_id) => metrics.rowsWarmed.inc({ datasource_id }, 0)),
    }),
    notifications: new Counter({
      name: 'ccc_alert_notifications_total',
      help: 'Alert notifications this process handled, by channel (webhook, email) and outcome (sent; retried: an attempt failed and another follows; failed: the last attempt failed; dropped: out of date)',
      labelNames: ['channel', 'outcome'],
      registers,
    }),
  };
  // A fixed set of series, all present from the first scrape, so that increase() sees the first failure.
  for (const channel of NOTIFICATION_CHANNELS)
    for (const outcome of NOTIFICATION_OUTCOMES) metrics.notifications.inc({ channel, outcome }, 0);
  defineScrapeGauges(registry, snapshot);
  return metrics;
}

/** Gauges filled from the scrape's snapshot; each resets first, so a deleted datasource's series disappear. */
function defineScrapeGauges(registry: Registry, snapshot: () => Promise<OperatorSnapshot>): void {
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    fill: (g: Gauge<L>, s: OperatorSnapshot) => void,
  ): void => {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const current = await snapshot();
        // Labelled series are rebuilt (a deleted datasource's go away); a plain gauge keeps its last value when fill skips it.
        if (labelNames.length > 0) this.reset();
        fill(this, current);
      },
    });
  };
  const perDatasource = (
    name: string,
    help: string,
    pick: (d: OperatorSnapshot['datasources'][number]) => number | null,
  ): void =>
    gauge(name, help, ['datasource_id'], (g, s) => {
      for (const d of s.datasources) {
        // Redis did not answer for it: no series rather than a cold-looking 0 (CccCacheCold would fire for every datasource).
        const value = d.known ? pick(d) : null;
        if (value !== null) g.set({ datasource_id: String(d.id) }, value);
      }
    });

  gauge(
    'ccc_datasource_info',
    'One series per datasource, value 1: its name and whether it is enabled, to join on datasource_id',
    ['datasource_id', 'datasource', 'enabled'],
    (g, s) => {
      for (const d of s.datasources)
        g.set({ datasource_id: String(d.id), datasource: d.name, enabled: String(d.enabled) }, 1);
    },
  );
  perDatasource(
    'ccc_cache_live',
    '1 when the datasource has a live generation (queries are answered from Redis), 0 when the cache is cold',
    (d) => (d.generation === null ? 0 : 1),
  );
  perDatasource('ccc_cache_entries', 'Entries in the live generation (0 when cold)', (d) => d.entries);
  perDatasource('ccc_cache_memory_bytes', 'Estimated Redis bytes of the live generation (0 when cold)', (d) => d.bytes);
  perDatasource(
    'ccc_cache_generation',
    'Number of the live generation (absent when cold); changes at every swap',
    (d) => d.generation,
  );
  perDatasource(
    'ccc_cache_generation_age_seconds',
    'Seconds since the live generation was warmed (absent when cold)',
    (d) => d.ageSeconds,
  );
  gauge(
    'ccc_cache_region_generation_age_seconds',
    'Seconds since the live generation of another Redis region (REDIS_REGIONS) was warmed (absent when cold or unreachable)',
    ['datasource_id', 'region'],
    (g, s) => {
      for (const d of s.datasources)
        for (const [region, age] of Object.entries(d.regionAgeSeconds ?? {}))
          g.set({ datasource_id: String(d.id), region }, age);
    },
  );
  // From PostgreSQL: shown whether or not Redis answered.
  gauge(
    'ccc_cache_staleness_ttl_seconds',
    "The datasource's staleness TTL: a live generation older than this is stale",
    ['datasource_id'],
    (g, s) => {
      for (const d of s.datasources) g.set({ datasource_id: String(d.id) }, d.stalenessTtlSeconds);
    },
  );
  perDatasource(
    'ccc_cache_warming',
    '1 while a warm of the datasource is queued or running (its warming lock is held)',
    (d) => (d.warming ? 1 : 0),
  );

  gauge(
    'ccc_alerts_open',
    'Open (active or acknowledged) alerts by datasource and severity, 0 when none; no datasource_id for service-wide alerts',
    ['datasource_id', 'severity'],
    (g, s) => {
      const ids = ['', ...s.datasources.map((d) => String(d.id))];
      for (const datasource_id of ids) for (const severity of SEVERITIES) g.set({ datasource_id, severity }, 0);
      for (const row of s.alerts.open)
        g.inc(
          { datasource_id: row.datasourceId === null ? '' : String(row.datasourceId), severity: row.severity },
          row.count,
        );
    },
  );
  gauge(
    'ccc_alerts_open_by_type',
    'Open alerts by type, severity and status (only combinations that occur)',
    ['alert_type', 'severity', 'status'],
    (g, s) => {
      for (const row of s.alerts.byType)
        g.set({ alert_type: row.alertType, severity: row.severity, status: row.status }, row.count);
    },
  );
  gauge(
    'ccc_alerts_open_staleness_seconds',
    'Age of the open-alert figures: 0 when read at this scrape, else seconds since PostgreSQL last answered (last known values are shown)',
    [],
    (g, s) => g.set(s.alerts.stalenessSeconds),
  );

  gauge('ccc_queue_jobs', "Jobs in the service's BullMQ queues by state", ['queue', 'state'], (g, s) => {
    for (const [queue, counts] of Object.entries(s.queues))
      for (const state of QUEUE_STATES) g.set({ queue, state }, counts[state] ?? 0);
  });

  gauge('ccc_redis_up', "1 when Redis answered this scrape's INFO", [], (g, s) => g.set(s.redis ? 1 : 0));
  gauge(
    'ccc_redis_memory_used_bytes',
    "Redis used_memory (summed over a cluster's masters)",
    [],
    (g, s) => s.redis && g.set(s.redis.usedBytes),
  );
  gauge(
    'ccc_redis_memory_max_bytes',
    'Redis maxmemory (0 = no limit)',
    [],
    (g, s) => s.redis && g.set(s.redis.maxBytes),
  );
  new Counter({
    name: 'ccc_redis_evicted_keys_total',
    help: 'Keys Redis evicted under maxmemory since it started (INFO evicted_keys)',
    registers: [registry],
    async collect() {
      const current = await snapshot();
      if (!current.redis) return;
      this.reset();
      this.inc(current.redis.evictedKeys);
    },
  });
}
