import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Cluster } from 'ioredis';
import type { DataSource } from 'typeorm';
import { CacheRepository } from '../analytics-cache/cache.repository.js';
import { WarmLocks } from '../analytics-cache/warm-locks.js';
import { RegionCaches } from '../analytics-cache/region-caches.js';
import { parseInfo } from '../redis-admin/redis-info.js';
import { REDIS, type RedisClient } from '../redis/redis.module.js';
import { OperatorSnapshotSource, type OperatorSnapshot } from '../telemetry/operator-snapshot-source.js';
import { JobRepository } from '../warming/job.repository.js';

/**
 * The scrape's view, read at most once per SNAPSHOT_MS however many gauges (and concurrent scrapes) ask: two
 * PostgreSQL queries, one Redis round trip per datasource (two fields of its meta hash and its lock, issued
 * together) and one INFO per Redis master. Datasources beyond MAX_DATASOURCES are left out, keeping a scrape's
 * cost and series bounded.
 */
export const SNAPSHOT_MS = 1_000;
export const MAX_DATASOURCES = 1_000;
/**
 * Each source's share of a scrape: past it, the last known figures stand. PostgreSQL's pool and BullMQ's connection
 * (which waits for Redis rather than failing) would otherwise hold a scrape for as long as they are away.
 */
export const SOURCE_TIMEOUT_MS = 2_000;

function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${SOURCE_TIMEOUT_MS} ms`)),
      SOURCE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type Catalog = Array<{ id: number; name: string; enabled: boolean; stalenessTtlSeconds: number }>;

@Injectable()
export class OperatorSnapshots implements OnModuleInit {
  private current: { at: number; value: Promise<OperatorSnapshot> } | null = null;
  /** Last answers of PostgreSQL, shown (with their age) while it does not answer. */
  private lastCatalog: Catalog = [];
  private lastAlerts: {
    at: number;
    open: OperatorSnapshot['alerts']['open'];
    byType: OperatorSnapshot['alerts']['byType'];
  } = { at: 0, open: [], byType: [] };
  private lastQueues: OperatorSnapshot['queues'] = {};

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly cache: CacheRepository,
    private readonly locks: WarmLocks,
    private readonly jobs: JobRepository,
    private readonly source: OperatorSnapshotSource,
    private readonly regions: RegionCaches,
  ) {}

  /** The metrics (telemetry/, below the areas read here) ask through the source this fills in. */
  onModuleInit(): void {
    this.source.attach(() => this.get());
  }

  get(): Promise<OperatorSnapshot> {
    const now = Date.now();
    if (!this.current || now - this.current.at >= SNAPSHOT_MS) this.current = { at: now, value: this.read() };
    return this.current.value;
  }

  private async read(): Promise<OperatorSnapshot> {
    const [catalog, alerts, queues, redis] = await Promise.all([
      this.catalog(),
      this.alerts(),
      this.queues(),
      this.redisFigures(),
    ]);
    const now = Date.now();
    const datasources = await Promise.all(
      catalog.map(async (d) => {
        const [meta, lock] = await within(
          Promise.all([this.cache.liveFigures(d.id), this.locks.lockHolder(d.id)]),
          'Redis',
        ).catch(() => [null, null] as const);
        const warmedAt = meta?.lastWarmed ? Date.parse(meta.lastWarmed) : NaN;
        return {
          ...d,
          known: meta !== null,
          generation: meta?.generation ?? null,
          entries: meta?.generation ? meta.entries : 0,
          bytes: meta?.generation ? meta.bytes : 0,
          ageSeconds: meta?.generation && Number.isFinite(warmedAt) ? Math.max(0, (now - warmedAt) / 1000) : null,
          regionAgeSeconds: await this.regionAges(d.id, now),
          warming: lock !== null,
        };
      }),
    );
    return { datasources, alerts, queues, redis };
  }

  /** Each other region's live generation age (REDIS_REGIONS): a region that does not answer has no figure. */
  private async regionAges(datasourceId: number, now: number): Promise<Record<string, number> | undefined> {
    if (!this.regions.several) return undefined;
    const ages: Record<string, number> = {};
    for (const name of this.regions.names.slice(1)) {
      const meta = await within(this.regions.region(name).cache.liveFigures(datasourceId), 'Redis').catch(() => null);
      const warmedAt = meta?.lastWarmed ? Date.parse(meta.lastWarmed) : NaN;
      if (meta?.generation && Number.isFinite(warmedAt)) ages[name] = Math.max(0, (now - warmedAt) / 1000);
    }
    return ages;
  }

  private async catalog(): Promise<Catalog> {
    try {
      const rows: Array<{ id: number; name: string; enabled: boolean; ttl: number }> = await within(
        this.db.query(
          `SELECT datasource_id AS id, name, is_enabled AS enabled, staleness_ttl_seconds AS ttl FROM cache_strategy ORDER BY datasource_id LIMIT $1`,
          [MAX_DATASOURCES],
        ),
        'PostgreSQL',
      );
      this.lastCatalog = rows.map((r) => ({
        id: Number(r.id),
        name: r.name,
        enabled: r.enabled,
        stalenessTtlSeconds: Number(r.ttl),
      }));
    } catch {
      // PostgreSQL is away: the datasources it last listed still get their Redis figures.
    }
    return this.lastCatalog;
  }

  private async alerts(): Promise<OperatorSnapshot['alerts']> {
    try {
      const rows: Array<{
        datasource_id: number | null;
        alert_type: string;
        severity: string;
        status: string;
        count: number;
      }> = await within(
        this.db.query(
          `SELECT s.datasource_id, a.alert_type, a.severity, a.alert_status AS status, count(*)::int AS count
           FROM cache_performance_alert a LEFT JOIN cache_strategy s ON s.id = a.cache_strategy_id
           WHERE a.alert_status <> 'RESOLVED' GROUP BY 1, 2, 3, 4`,
        ),
        'PostgreSQL',
      );
      const open = new Map<string, { datasourceId: number | null; severity: string; count: number }>();
      const byType = new Map<string, { alertType: string; severity: string; status: string; count: number }>();
      for (const row of rows) {
        const datasourceId = row.datasource_id === null ? null : Number(row.datasource_id);
        const o = open.get(`${datasourceId}|${row.severity}`) ?? { datasourceId, severity: row.severity, count: 0 };
        o.count += row.count;
        open.set(`${datasourceId}|${row.severity}`, o);
        const t = byType.get(`${row.alert_type}|${row.severity}|${row.status}`) ?? {
          alertType: row.alert_type,
          severity: row.severity,
          status: row.status,
          count: 0,
        };
        t.count += row.count;
        byType.set(`${row.alert_type}|${row.severity}|${row.status}`, t);
      }
      this.lastAlerts = { at: Date.now(), open: [...open.values()], byType: [...byType.values()] };
      return { open: this.lastAlerts.open, byType: this.lastAlerts.byType, stalenessSeconds: 0 };
    } catch {
      const { at, open, byType } = this.lastAlerts;
      // Never read since start: the age of the process stands in (nothing is known for longer than that).
      const stalenessSeconds = at === 0 ? process.uptime() : (Date.now() - at) / 1000;
      return { open, byType, stalenessSeconds };
    }
  }

  private async queues(): Promise<OperatorSnapshot['queues']> {
    this.lastQueues = await within(this.jobs.queueCounts(), 'Redis (queues)').catch(() => this.lastQueues);
    return this.lastQueues;
  }

  private async redisFigures(): Promise<OperatorSnapshot['redis']> {
    try {
      const masters = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
      // Two small sections, not the whole INFO: a scrape should cost Redis next to nothing.
      const infos = await within(
        Promise.all(
          masters.map(async (node) =>
            parseInfo((await Promise.all([node.info('memory'), node.info('stats')])).join('\n')),
          ),
        ),
        'Redis',
      );
      const sum = (section: string, field: string): number =>
        infos.reduce((total, info) => total + (Number(info[section]?.[field]) || 0), 0);
      const unlimited = infos.some((info) => !Number(info.memory?.maxmemory));
      return {
        usedBytes: sum('memory', 'used_memory'),
        maxBytes: unlimited ? 0 : sum('memory', 'maxmemory'),
        evictedKeys: sum('stats', 'evicted_keys'),
      };
    } catch {
      return null;
    }
  }
}
