import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PRIMARY_REGION } from '../config/region-config.js';
import { createRedisClient, REDIS, type RedisClient } from './redis-client.js';

const REGION_CONNECT_WAIT_MS = 3_000;

/**
 * The Redis client of each region of REDIS_REGIONS (docs/architecture.md, "Multi-region caches"): `primary` is the
 * service's own client (REDIS_URL); every other region has a client of its own, connected at start-up.
 */
@Injectable()
export class RegionClients implements OnModuleInit, OnApplicationShutdown {
  private readonly opened = new Map<string, RedisClient>();
  private readonly logger = new Logger(RegionClients.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /**
   * Connects every region (the clients queue no command while connecting: the first ones would fail), waiting a
   * moment for each — a region that is down does not hold the service's start.
   */
  async onModuleInit(): Promise<void> {
    await Promise.all(
      this.config.regions.extra.map(({ name }) => {
        const client = this.client(name);
        return new Promise<void>((resolve) => {
          if (client.status === 'ready') return resolve();
          const timer = setTimeout(resolve, REGION_CONNECT_WAIT_MS);
          timer.unref();
          client.once('ready', () => (clearTimeout(timer), resolve()));
        });
      }),
    );
  }

  /** Every region, the primary first. */
  get names(): string[] {
    return this.config.regions.names;
  }

  /** More than the primary configured. */
  get several(): boolean {
    return this.config.regions.extra.length > 0;
  }

  /** The regions a query reads, in order: SERVICE_REGION, then SERVICE_REGION_FALLBACK. */
  get readOrder(): string[] {
    return [this.config.regions.serviceRegion, ...this.config.regions.fallback];
  }

  /** The region's client, or 400 naming `field` when no such region is configured. */
  client(name: string, field = 'region'): RedisClient {
    if (name === PRIMARY_REGION) return this.redis;
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
    this.opened.set(name, client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of this.opened.values()) await client.quit().catch(() => client.disconnect());
  }
}
