import { Injectable } from '@nestjs/common';
import type {
  AnalyticsCacheRedisSection,
  Principal,
  KeyDistribution,
  KeyNamespace,
  RedisStatsResponse,
} from '@ccc/shared-types';
import { DatasourcesService } from '../datasources/datasources.service.js';
import { CacheKeys } from '../redis/redis-keys.js';
import { isOfRefusedSource, type KeyAccess } from './key-access.js';
import { KeyAccessService } from './key-access.service.js';
import { classifyKey } from './key-namespaces.js';
import { RedisAdminRepository } from './redis-admin.repository.js';
import { parseInfo, sumNodeStats, toNodeStats } from './redis-info.js';
import { capElement } from './value-preview.js';
import { dbKeys, round, sampleKeys } from './redis-sampling.js';

/** Keys sampled for the namespace distribution of the stats. */
const STATS_SAMPLE = 1_000;
const MAX_POINTERS = 200;
const MAX_POINTER_FIELDS = 30;

/** Redis statistics: INFO of every node, a sampled key distribution, the analytics cache pointers. */
@Injectable()
export class RedisStatsService {
  constructor(
    private readonly redis: RedisAdminRepository,
    private readonly datasources: DatasourcesService,
    private readonly access: KeyAccessService,
  ) {}

  async stats(actor: Principal): Promise<RedisStatsResponse> {
    const nodes = this.redis.nodes();
    const nodeStats = await Promise.all(
      nodes.map(async (node) => toNodeStats(node.name, parseInfo(await this.redis.info(node)))),
    );
    const total = sumNodeStats(nodeStats, this.redis.mode);
    const sample = await sampleKeys(this.redis, nodes, STATS_SAMPLE);
    const distribution = this.distribution(
      sample.flatMap((s) => s.keys),
      dbKeys(this.redis, nodeStats),
    );
    return {
      mode: this.redis.mode,
      total,
      nodes: nodeStats,
      distribution,
      analyticsCache: await this.analyticsCacheSection(distribution, await this.access.of(actor)),
      collectedAt: new Date().toISOString(),
    };
  }

  private distribution(keys: string[], totalKeys: number): KeyDistribution {
    const counts = new Map<KeyNamespace, number>();
    for (const key of keys) {
      const namespace = classifyKey(key);
      counts.set(namespace, (counts.get(namespace) ?? 0) + 1);
    }
    const sampled = keys.length;
    return {
      isSample: true,
      sampled,
      totalKeys,
      namespaces: [...counts.entries()]
        .map(([namespace, sampledKeys]) => ({
          namespace,
          sampledKeys,
          share: round(sampledKeys / sampled),
          estimatedKeys: Math.round((sampledKeys / sampled) * totalKeys),
        }))
        .sort((a, b) => b.sampledKeys - a.sampledKeys),
    };
  }

  private async analyticsCacheSection(
    distribution: KeyDistribution,
    access: KeyAccess,
  ): Promise<AnalyticsCacheRedisSection> {
    const rows = (await this.datasources.entities()).slice(0, MAX_POINTERS);
    const datasources = await Promise.all(
      rows.map(async (row) => {
        const metaKey = CacheKeys.meta(row.datasourceId);
        // The meta hash lists the coverage (measures, …): of a refused source, nothing but whether it is there.
        const refused = isOfRefusedSource(access, metaKey);
        const stored = await this.redis.hashGetAll(metaKey);
        const fields = Object.fromEntries(
          Object.entries(refused ? {} : stored)
            .slice(0, MAX_POINTER_FIELDS)
            .map(([name, value]) => [name, capElement(value, 200).text]),
        );
        const live = stored[CacheKeys.liveField];
        const generation = Number(live);
        return {
          datasourceId: row.datasourceId,
          datasourceName: row.name,
          metaKey,
          present: Object.keys(stored).length > 0,
          liveGeneration: live !== undefined && Number.isFinite(generation) ? generation : null,
          fields,
        };
      }),
    );
    const of = (namespace: KeyNamespace) => distribution.namespaces.find((entry) => entry.namespace === namespace);
    return {
      datasources,
      estimatedEntries: of('analytics-entry')?.estimatedKeys ?? 0,
      estimatedIndexSets: of('analytics-index')?.estimatedKeys ?? 0,
      keyShare: round(
        distribution.namespaces
          .filter((entry) => entry.namespace.startsWith('analytics-'))
          .reduce((sum, entry) => sum + entry.share, 0),
      ),
    };
  }
}
