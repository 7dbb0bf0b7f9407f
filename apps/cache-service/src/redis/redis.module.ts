import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { createRedisClient, REDIS, type RedisClient } from './redis-client.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RegionClients } from './region-clients.js';

export { CLUSTER_SLOTS_REFRESH_MS, createRedisClient, REDIS, type RedisClient } from './redis-client.js';

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RedisClient => {
        const client = createRedisClient(config, 'api');
        const logger = new Logger('Redis');
        let down = false;
        client.on('error', (error: Error) => {
          if (!down) logger.warn(`Redis connection problem: ${error.message}`);
          down = true;
        });
        client.on('ready', () => {
          if (down) logger.log('Redis connection restored');
          down = false;
        });
        return client;
      },
    },
    RegionClients,
  ],
  exports: [REDIS, RegionClients],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
