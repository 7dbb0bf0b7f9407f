import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PRIMARY_REGION } from '../config/region-config.js';
import type { RedisClient } from '../redis/redis.module.js';
import { RegionClients } from '../redis/region-clients.js';
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

/** The primary meta hash's field with each region's last warm result (JSON, by region name). */
export const REGION_RESULTS_FIELD = 'regionResults';

/**
 * The cache engine on each Redis region (docs/architecture.md, "Multi-region caches"). A region's CacheRepository keeps
 * no previous generation for a rollback (rollback is a primary feature): a region deletes what its swap replaced.
 */
@Injectable()
export class RegionCaches {
  private readonly logger = new Logger(RegionCaches.name);
  private readonly opened = new Map<string, Region>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: RegionClients,
    private readonly cache: CacheRepository,
    private readonly locks: WarmLocks,
  ) {}

  get names(): string[] {
    return this.clients.names;
  }

  get several(): boolean {
    return this.clients.several;
  }

  /** The region, or 400 naming `field` when it is not configured. */
  region(name: string, field = 'region'): Region {
    const known = this.opened.get(name);
    if (known) return known;
    const client = this.clients.client(name, field);
    const region =
      name === PRIMARY_REGION
        ? { name, client, cache: this.cache, locks: this.locks }
        : {
            name,
            client,
            cache: new CacheRepository(client, new WarmLocks(client), new UsageCounters(client), {
              ...this.config,
              warming: { ...this.config.warming, generationRetentionSeconds: 0 },
            }),
            locks: new WarmLocks(client),
          };
    this.opened.set(name, region);
    return region;
  }

  /**
   * A deleted datasource's copies in its regions other than the primary: nothing reads them once it is gone, and no warm
   * would replace them. A region out of reach keeps its copy (logged) rather than hold up the deletion.
   */
  async purgeCopies(datasourceId: number, regionNames: string[]): Promise<void> {
    for (const name of regionNames) {
      if (name === PRIMARY_REGION) continue;
      try {
        await this.region(name).cache.purgeDatasource(datasourceId);
      } catch (error) {
        this.logger.warn(
          `could not delete the cache of deleted datasource ${datasourceId} in region ${name}: ${(error as Error).message}`,
        );
      }
    }
  }

  /** The regions a query reads, in order: SERVICE_REGION, then SERVICE_REGION_FALLBACK. */
  readOrder(): Region[] {
    return this.clients.readOrder.map((name) => this.region(name));
  }
}
