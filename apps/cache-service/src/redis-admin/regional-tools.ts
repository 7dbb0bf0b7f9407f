import { Injectable } from '@nestjs/common';
import { PRIMARY_REGION } from '../config/region-config.js';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { RegionClients } from '../redis/region-clients.js';
import { KeyAccessService } from './key-access.service.js';
import { RedisAdminRepository } from './redis-admin.repository.js';
import { RedisKeyBrowserService } from './redis-key-browser.service.js';
import { RedisStatsService } from './redis-stats.service.js';

interface Tools {
  stats: RedisStatsService;
  keys: RedisKeyBrowserService;
}

/**
 * The Redis statistics, key browser and inspector pointed at a region of REDIS_REGIONS (`?region=`): the same tools on
 * the region's client, with the same access rules. Unknown region: 400 naming `region`.
 */
@Injectable()
export class RegionalRedisTools {
  private readonly byRegion = new Map<string, Tools>();

  constructor(
    private readonly clients: RegionClients,
    private readonly datasources: DatasourcesService,
    private readonly access: KeyAccessService,
    stats: RedisStatsService,
    keys: RedisKeyBrowserService,
  ) {
    this.byRegion.set(PRIMARY_REGION, { stats, keys });
  }

  tools(region = PRIMARY_REGION): Tools {
    const known = this.byRegion.get(region);
    if (known) return known;
    const repository = new RedisAdminRepository(this.clients.client(region));
    const tools = {
      stats: new RedisStatsService(repository, this.datasources, this.access),
      keys: new RedisKeyBrowserService(repository, this.access),
    };
    this.byRegion.set(region, tools);
    return tools;
  }
}
