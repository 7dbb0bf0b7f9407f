import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PRIMARY_REGION } from '../config/region-config.js';
import { createRedisClient, REDIS, type RedisClient } from '../redis/redis.module.js';
import { CacheRepository } from './cache.repository.js';
import { UsageCounters } from './usage-counters.js';
import { WarmLocks } from './warm-locks.js';

/** One Redis region: its client and the cache engine's repository on it. */
export interface Region {
  name: string;
  client: RedisClient;
  cache: CacheRepository;
  locks: WarmLocks;
}

const REGION_CONNECT_WAIT_MS = 3_000;

/** The primary meta hash's field with each region's last warm result (JSON, by region name). */
export const REGION_RESULTS_FIELD = 'regionResults';

/**
 * The Redis regions of REDIS_REGIONS (docs/architecture.md, "Multi-region caches"): `primary` is the service's own
 * client (REDIS_URL); every other region gets a client of its own, opened on first use. A region's CacheRepository
 * keeps no previous generation for a rollback (rollback is a primary feature): a region deletes what a swap replaced.
 */
@Injectable()
export class RegionCaches implements OnModuleInit, OnApplicationShutdown {
  private readonly opened = new Map<string, Region>();
  private readonly logger = new Logger(RegionCaches.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly cache: CacheRepository,
    private readonly locks: WarmLocks,
  ) {}

  /**
   * Connects every region at start-up (the clients queue no command while connecting: the first queries would fail),
   * waiting a moment for each — a region that is down does not hold the service's start.
   */
  async onModuleInit(): Promise<void> {
    await Promise.all(
      this.config.regions.extra.map(({ name }) => {
        const { client } = this.region(name);
        return new Promise<void>((resolve) => {
          if (client.status === 'ready') return resolve();
          const timer = setTimeout(resolve, REGION_CONNECT_WAIT_MS);
          timer.unref();
          client.once('ready', () => (clearTimeout(timer), resolve()));
        });
      }),
    );
  }

  get names(): string[] {
    return this.config.regions.names;
  }

  /** More than the primary configured. */
  get several(): boolean {
    return this.config.regions.extra.length > 0;
  }

  /** The region, or 400 naming `field` when it is not configured. */
  region(name: string, field = 'region'): Region {
    if (name === PRIMARY_REGION) return { name, client: this.redis, cache: this.cache, locks: this.locks };
    const known = this.opened.get(name);
    if (known) return known;
    const target = this.config.regions.extra.find((region) => region.name === name);
    if (!target) throw AppError.invalidField(field, `${field} must be a configured region (${this.names.join(', ')})`);
    const client = createRedisClient(this.config, `region-${name}`, target.url);
    let down = false;
    client.on('error', (error: Error) => {
      if (!down) this.logger.warn(`Redis region ${name}: connection problem: ${error.message}`);
      down = true;
    });
    client.on('ready', () => (down = false));
    const config = { ...this.config, warming: { ...this.config.warming, generationRetentionSeconds: 0 } };
    const region = {
      name,
      client,
      cache: new CacheRepository(client, new WarmLocks(client), new UsageCounters(client), config),
      locks: new WarmLocks(client),
    };
    this.opened.set(name, region);
    return region;
  }

  /** The regions a query reads, in order: SERVICE_REGION, then SERVICE_REGION_FALLBACK. */
  readOrder(): Region[] {
    return [this.config.regions.serviceRegion, ...this.config.regions.fallback].map((name) => this.region(name));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const { client } of this.opened.values()) await client.quit().catch(() => client.disconnect());
  }
}
