import { Injectable } from '@nestjs/common';
import type { Principal, KeyNamespace, RedisMemoryAnalysis, RedisMemoryQuery } from '@ccc/shared-types';
import { isVisibleTo } from './key-access.js';
import { KeyAccessService } from './key-access.service.js';
import { classifyKey } from './key-namespaces.js';
import { RedisAdminRepository, type RedisNode } from './redis-admin.repository.js';
import { parseInfo, sumNodeStats, toNodeStats } from './redis-info.js';
import { dbKeys, round, sampleKeys } from './redis-sampling.js';

/** Memory analysis: MEMORY USAGE of a key sample, by namespace, with the biggest keys the caller may see. */
@Injectable()
export class RedisMemoryService {
  constructor(
    private readonly redis: RedisAdminRepository,
    private readonly access: KeyAccessService,
  ) {}

  async memory(query: RedisMemoryQuery, actor: Principal): Promise<RedisMemoryAnalysis> {
    const sampleSize = query.sample ?? 2_000;
    const top = query.top ?? 20;
    const nodes = this.redis.nodes();
    const [infos, sample] = await Promise.all([
      Promise.all(nodes.map(async (node) => toNodeStats(node.name, parseInfo(await this.redis.info(node))))),
      sampleKeys(this.redis, nodes, sampleSize),
    ]);
    const measured: Array<{ key: string; memoryBytes: number; node: RedisNode }> = [];
    for (const { node, keys } of sample) {
      for (let start = 0; start < keys.length; start += 200) {
        const chunk = keys.slice(start, start + 200);
        const sizes = await this.redis.memoryUsage(node, chunk);
        chunk.forEach((key, index) => {
          const size = sizes[index];
          if (size !== null) measured.push({ key, memoryBytes: size, node });
        });
      }
    }
    const totalKeys = dbKeys(this.redis, infos);
    const sampled = measured.length;
    const sampledMemoryBytes = measured.reduce((sum, entry) => sum + entry.memoryBytes, 0);
    const access = await this.access.of(actor);
    const biggest = measured
      .filter((entry) => isVisibleTo(access, entry.key))
      .sort((a, b) => b.memoryBytes - a.memoryBytes)
      .slice(0, top);
    const types = new Map<string, string>();
    for (const node of nodes) {
      const keys = biggest.filter((entry) => entry.node === node).map((entry) => entry.key);
      const facts = await this.redis.keyFacts(node, keys);
      keys.forEach((key, index) => types.set(key, facts[index].type));
    }
    const byNamespace = new Map<KeyNamespace, { keys: number; bytes: number }>();
    for (const entry of measured) {
      const namespace = classifyKey(entry.key);
      const current = byNamespace.get(namespace) ?? { keys: 0, bytes: 0 };
      current.keys += 1;
      current.bytes += entry.memoryBytes;
      byNamespace.set(namespace, current);
    }
    const scale = sampled > 0 ? totalKeys / sampled : 0;
    return {
      isSample: true,
      sampled,
      totalKeys,
      usedMemoryBytes: sumNodeStats(infos, this.redis.mode).usedMemoryBytes,
      sampledMemoryBytes,
      topKeys: biggest.map((entry) => ({
        key: entry.key,
        type: types.get(entry.key) ?? 'none',
        namespace: classifyKey(entry.key),
        memoryBytes: entry.memoryBytes,
      })),
      namespaces: [...byNamespace.entries()]
        .map(([namespace, { keys, bytes }]) => ({
          namespace,
          sampledKeys: keys,
          sampledMemoryBytes: bytes,
          share: sampledMemoryBytes > 0 ? round(bytes / sampledMemoryBytes) : 0,
          estimatedMemoryBytes: Math.round(bytes * scale),
        }))
        .sort((a, b) => b.sampledMemoryBytes - a.sampledMemoryBytes),
    };
  }
}
