import type { RedisKeyspaceDb, RedisNodeStats } from '@ccc/shared-types';

export type InfoSections = Record<string, Record<string, string>>;

/** Parses INFO output into `{ section: { field: value } }` (section names lower-case). */
export function parseInfo(text: string): InfoSections {
  const sections: InfoSections = {};
  let current = sections.default ?? (sections.default = {});
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const name = line.slice(1).trim().toLowerCase();
      current = sections[name] ?? (sections[name] = {});
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) current[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return sections;
}

/** `keys=10,expires=2,avg_ttl=0` → record. */
function parseKeyspaceValue(value: string): Record<string, number> {
  return Object.fromEntries(
    value.split(',').map((pair) => {
      const [k, v] = pair.split('=');
      return [k, Number(v)];
    }),
  );
}

const num = (value: string | undefined): number => {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
};

function field(sections: InfoSections, name: string): string | undefined {
  for (const section of Object.values(sections)) if (name in section) return section[name];
  return undefined;
}

export function toNodeStats(node: string, sections: InfoSections): RedisNodeStats {
  const f = (name: string): string | undefined => field(sections, name);
  const keyspace: RedisKeyspaceDb[] = Object.entries(sections.keyspace ?? {})
    .filter(([name]) => /^db\d+$/.test(name))
    .map(([name, value]) => {
      const parsed = parseKeyspaceValue(value);
      return {
        db: Number(name.slice(2)),
        keys: parsed.keys ?? 0,
        expires: parsed.expires ?? 0,
        avgTtlMs: parsed.avg_ttl ?? 0,
      };
    })
    .sort((a, b) => a.db - b.db);
  const hits = num(f('keyspace_hits'));
  const misses = num(f('keyspace_misses'));
  const fragmentation = f('mem_fragmentation_ratio');
  return {
    node,
    role: f('role') ?? 'unknown',
    version: f('redis_version') ?? 'unknown',
    uptimeSeconds: num(f('uptime_in_seconds')),
    connectedClients: num(f('connected_clients')),
    usedMemoryBytes: num(f('used_memory')),
    peakMemoryBytes: num(f('used_memory_peak')),
    maxMemoryBytes: num(f('maxmemory')),
    maxMemoryPolicy: f('maxmemory_policy') ?? 'unknown',
    fragmentationRatio:
      fragmentation === undefined || !Number.isFinite(Number(fragmentation)) ? null : Number(fragmentation),
    opsPerSecond: num(f('instantaneous_ops_per_sec')),
    keyspaceHits: hits,
    keyspaceMisses: misses,
    hitRate: hits + misses > 0 ? hits / (hits + misses) : null,
    evictedKeys: num(f('evicted_keys')),
    expiredKeys: num(f('expired_keys')),
    totalKeys: keyspace.reduce((sum, db) => sum + db.keys, 0),
    keyspace,
  };
}

/** Sum over a cluster's masters; ratios are recomputed from the sums, not averaged. */
export function sumNodeStats(nodes: RedisNodeStats[], mode: 'standalone' | 'cluster'): RedisNodeStats {
  if (mode === 'standalone' && nodes.length === 1) return { ...nodes[0], node: 'total' };
  const sum = (pick: (n: RedisNodeStats) => number): number => nodes.reduce((total, n) => total + pick(n), 0);
  const hits = sum((n) => n.keyspaceHits);
  const misses = sum((n) => n.keyspaceMisses);
  const byDb = new Map<number, RedisKeyspaceDb>();
  for (const n of nodes) {
    for (const db of n.keyspace) {
      const entry = byDb.get(db.db) ?? { db: db.db, keys: 0, expires: 0, avgTtlMs: 0 };
      entry.keys += db.keys;
      entry.expires += db.expires;
      entry.avgTtlMs = Math.max(entry.avgTtlMs, db.avgTtlMs);
      byDb.set(db.db, entry);
    }
  }
  const used = sum((n) => n.usedMemoryBytes);
  const fragmentationWeighted = nodes.every((n) => n.fragmentationRatio !== null)
    ? sum((n) => (n.fragmentationRatio ?? 0) * n.usedMemoryBytes)
    : null;
  const versions = [...new Set(nodes.map((n) => n.version))];
  return {
    node: 'total',
    role: mode === 'cluster' ? `cluster (${nodes.length} masters)` : (nodes[0]?.role ?? 'unknown'),
    version: versions.join(', ') || 'unknown',
    uptimeSeconds: nodes.length ? Math.min(...nodes.map((n) => n.uptimeSeconds)) : 0,
    connectedClients: sum((n) => n.connectedClients),
    usedMemoryBytes: used,
    peakMemoryBytes: sum((n) => n.peakMemoryBytes),
    maxMemoryBytes: nodes.some((n) => n.maxMemoryBytes === 0) ? 0 : sum((n) => n.maxMemoryBytes),
    maxMemoryPolicy: [...new Set(nodes.map((n) => n.maxMemoryPolicy))].join(', ') || 'unknown',
    fragmentationRatio: fragmentationWeighted !== null && used > 0 ? fragmentationWeighted / used : null,
    opsPerSecond: sum((n) => n.opsPerSecond),
    keyspaceHits: hits,
    keyspaceMisses: misses,
    hitRate: hits + misses > 0 ? hits / (hits + misses) : null,
    evictedKeys: sum((n) => n.evictedKeys),
    expiredKeys: sum((n) => n.expiredKeys),
    totalKeys: sum((n) => n.totalKeys),
    keyspace: [...byDb.values()].sort((a, b) => a.db - b.db),
  };
}

/** `cmdstat_unlink:calls=3,usec=…` → calls per command (lower-case names). */
export function commandCalls(sections: InfoSections): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [name, value] of Object.entries(sections.commandstats ?? {})) {
    if (!name.startsWith('cmdstat_')) continue;
    const match = /calls=(\d+)/.exec(value);
    if (match) calls[name.slice('cmdstat_'.length)] = Number(match[1]);
  }
  return calls;
}
