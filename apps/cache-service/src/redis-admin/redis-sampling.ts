// Sampling shared by the statistics and the memory analysis: bounded SCANs, never KEYS.
import type { RedisNodeStats } from '@ccc/shared-types';
import type { RedisAdminRepository, RedisNode } from './redis-admin.repository.js';

/** Keys of the selected database over all nodes, from their INFO keyspace sections. */
export function dbKeys(redis: RedisAdminRepository, nodeStats: RedisNodeStats[]): number {
  const db = redis.selectedDb();
  return nodeStats.reduce((sum, node) => sum + (node.keyspace.find((entry) => entry.db === db)?.keys ?? 0), 0);
}

export const round = (value: number, digits = 4): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** A bounded SCAN sample from the start of each master's keyspace (SCAN order is hash order, so unbiased by name). */
export async function sampleKeys(
  redis: RedisAdminRepository,
  nodes: RedisNode[],
  maxKeys: number,
): Promise<Array<{ node: RedisNode; keys: string[] }>> {
  const perNode = Math.max(1, Math.ceil(maxKeys / nodes.length));
  return Promise.all(
    nodes.map(async (node) => {
      const keys = new Set<string>();
      let cursor = '0';
      let examined = 0;
      do {
        const count = Math.min(500, perNode);
        const page = await redis.scan(node, cursor, { match: '*', count });
        examined += count;
        for (const key of page.keys) if (keys.size < perNode) keys.add(key);
        cursor = page.cursor;
      } while (cursor !== '0' && keys.size < perNode && examined < perNode * 4);
      return { node, keys: [...keys] };
    }),
  );
}
