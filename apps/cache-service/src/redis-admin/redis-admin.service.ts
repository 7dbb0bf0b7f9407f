import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  AnalyticsCacheRedisSection,
  Principal,
  KeyDistribution,
  KeyNamespace,
  RedisKeyInspection,
  RedisKeysPage,
  RedisKeysQuery,
  RedisMemoryAnalysis,
  RedisMemoryQuery,
  RedisNodeStats,
  RedisSlowlogResetResponse,
  RedisSlowlogResponse,
  RedisStatsResponse,
  RedisTtlRequest,
  RedisTtlResponse,
  RedisValuePreview,
} from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { CacheStrategyEntity } from '../datasources/cache-strategy.entity.js';
import { CacheKeys } from '../redis/redis-keys.js';
import { isAdmin } from '../auth/privileges.js';
import { assertMayChangeKey, assertMayReadKey, isOfRefusedSource, isVisibleTo, redactedCommand, type KeyAccess } from './key-access.js';
import { KeyAccessService } from './key-access.service.js';
import { classifyKey, isProtectedKey } from './key-namespaces.js';
import { RedisAdminRepository, type RedisNode } from './redis-admin.repository.js';
import { globProblem } from './redis-glob.js';
import { parseInfo, sumNodeStats, toNodeStats } from './redis-info.js';
import { advance, formatCursor, parseCursor, takeFromBatch } from './scan-cursor.js';
import { bytesToText, capElement, decodeCacheEntry, elementsToFetch, PREVIEW_LIMITS } from './value-preview.js';

/** Keys one key-browser request may make Redis examine (sum of SCAN COUNTs): a huge keyspace answers "more", fast. */
export const EXAMINE_CAP = 10_000;
/** Keys sampled for the namespace distribution of the stats. */
const STATS_SAMPLE = 1_000;
const MAX_POINTERS = 200;
const MAX_POINTER_FIELDS = 30;

const round = (value: number, digits = 4): number => Math.round(value * 10 ** digits) / 10 ** digits;
const ttlSecondsOf = (ttlMs: number): number => (ttlMs < 0 ? ttlMs : Math.ceil(ttlMs / 1000));

function assertPattern(pattern: string, field = 'pattern'): void {
  const problem = globProblem(pattern);
  if (problem) throw AppError.invalidField(field, `${field}: ${problem}`);
}

@Injectable()
export class RedisAdminService {
  constructor(
    private readonly redis: RedisAdminRepository,
    @InjectRepository(CacheStrategyEntity) private readonly strategies: Repository<CacheStrategyEntity>,
    private readonly audit: AuditService,
    private readonly access: KeyAccessService,
  ) {}

  // --- statistics ------------------------------------------------------------------------------

  async stats(actor: Principal): Promise<RedisStatsResponse> {
    const nodes = this.redis.nodes();
    const nodeStats = await Promise.all(nodes.map(async (node) => toNodeStats(node.name, parseInfo(await this.redis.info(node)))));
    const total = sumNodeStats(nodeStats, this.redis.mode);
    const sample = await this.sampleKeys(nodes, STATS_SAMPLE);
    const distribution = this.distribution(sample.flatMap((s) => s.keys), this.dbKeys(nodeStats));
    return {
      mode: this.redis.mode,
      total,
      nodes: nodeStats,
      distribution,
      analyticsCache: await this.analyticsCacheSection(distribution, await this.access.of(actor)),
      collectedAt: new Date().toISOString(),
    };
  }

  private dbKeys(nodeStats: RedisNodeStats[]): number {
    const db = this.redis.selectedDb();
    return nodeStats.reduce((sum, node) => sum + (node.keyspace.find((entry) => entry.db === db)?.keys ?? 0), 0);
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

  private async analyticsCacheSection(distribution: KeyDistribution, access: KeyAccess): Promise<AnalyticsCacheRedisSection> {
    const rows = await this.strategies.find({ order: { datasourceId: 'ASC' }, take: MAX_POINTERS });
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
        const generation = Number(stored.gen);
        return {
          datasourceId: row.datasourceId,
          datasourceName: row.name,
          metaKey,
          present: Object.keys(stored).length > 0,
          liveGeneration: stored.gen !== undefined && Number.isFinite(generation) ? generation : null,
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
        distribution.namespaces.filter((entry) => entry.namespace.startsWith('analytics-')).reduce((sum, entry) => sum + entry.share, 0),
      ),
    };
  }

  /** A bounded SCAN sample from the start of each master's keyspace (SCAN order is hash order, so unbiased by name). */
  private async sampleKeys(nodes: RedisNode[], maxKeys: number): Promise<Array<{ node: RedisNode; keys: string[] }>> {
    const perNode = Math.max(1, Math.ceil(maxKeys / nodes.length));
    return Promise.all(
      nodes.map(async (node) => {
        const keys = new Set<string>();
        let cursor = '0';
        let examined = 0;
        do {
          const count = Math.min(500, perNode);
          const page = await this.redis.scan(node, cursor, { match: '*', count });
          examined += count;
          for (const key of page.keys) if (keys.size < perNode) keys.add(key);
          cursor = page.cursor;
        } while (cursor !== '0' && keys.size < perNode && examined < perNode * 4);
        return { node, keys: [...keys] };
      }),
    );
  }

  // --- key browser ----------------------------------------------------------------------------

  async scanKeys(query: RedisKeysQuery, actor: Principal): Promise<RedisKeysPage> {
    const pattern = query.pattern ?? '*';
    assertPattern(pattern);
    const count = query.count ?? 100;
    const nodes = this.redis.nodes();
    const access = await this.access.of(actor);
    let position = parseCursor(query.cursor, nodes.length);
    if (!position) throw AppError.invalidField('cursor', 'cursor is not one this endpoint returned');

    const scanCount = Math.min(1000, Math.max(100, count));
    const found = new Map<string, number>();
    let examined = 0;
    while (position && found.size < count && examined + scanCount <= EXAMINE_CAP) {
      const page = await this.redis.scan(nodes[position.node], position.cursor, { match: pattern, count: scanCount, type: query.type });
      examined += scanCount;
      const batch = takeFromBatch(page.keys, position.after, count - found.size, (key) => !found.has(key) && isVisibleTo(access, key));
      for (const key of batch.taken) found.set(key, position.node);
      position = batch.stoppedAfter ? { ...position, after: batch.stoppedAfter } : advance(position, page.cursor, nodes.length);
    }

    const byNode = new Map<number, string[]>();
    for (const [key, node] of found) byNode.set(node, [...(byNode.get(node) ?? []), key]);
    const facts = new Map<string, { type: string; ttlMs: number }>();
    await Promise.all(
      [...byNode].map(async ([node, keys]) => {
        const nodeFacts = await this.redis.keyFacts(nodes[node], keys);
        keys.forEach((key, index) => facts.set(key, nodeFacts[index]));
      }),
    );
    return {
      keys: [...found.keys()].map((key) => {
        const fact = facts.get(key) ?? { type: 'none', ttlMs: -2 };
        return { key, type: fact.type, ttlSeconds: ttlSecondsOf(fact.ttlMs), namespace: classifyKey(key), protected: isProtectedKey(key) };
      }),
      cursor: formatCursor(position, nodes.length),
      more: position !== null,
      examined,
      examineCap: EXAMINE_CAP,
    };
  }

  // --- inspector ------------------------------------------------------------------------------

  async inspect(key: string, actor: Principal): Promise<RedisKeyInspection> {
    assertMayReadKey(await this.access.of(actor), key);
    const facts = await this.redis.describeKey(key);
    if (facts.type === 'none') throw AppError.notFound('Key', key);
    const length = await this.redis.lengthOf(key, facts.type);
    const namespace = classifyKey(key);
    const preview = await this.preview(key, facts.type, length, facts.memoryBytes);
    const decoded =
      namespace === 'analytics-entry' && preview.kind === 'string' && !preview.binary ? decodeCacheEntry(preview.text, preview.truncated) : null;
    return {
      key,
      type: facts.type,
      namespace,
      protected: isProtectedKey(key),
      ttlSeconds: ttlSecondsOf(facts.ttlMs),
      encoding: facts.encoding,
      memoryBytes: facts.memoryBytes,
      length,
      lengthUnit: ({ string: 'bytes', hash: 'fields', set: 'members', zset: 'members', list: 'elements', stream: 'entries' } as const)[
        facts.type as 'string'
      ] ?? 'elements',
      preview,
      decoded,
      limits: { maxBytes: PREVIEW_LIMITS.maxBytes, maxElements: PREVIEW_LIMITS.maxElements, maxElementBytes: PREVIEW_LIMITS.maxElementBytes },
    };
  }

  private async preview(key: string, type: string, length: number, memoryBytes: number | null): Promise<RedisValuePreview> {
    const n = elementsToFetch(memoryBytes, length);
    const budget = new ByteBudget(PREVIEW_LIMITS.maxBytes);
    switch (type) {
      case 'string': {
        const bytes = await this.redis.stringPrefix(key, PREVIEW_LIMITS.maxBytes);
        const truncated = length > bytes.length;
        const { text, binary } = bytesToText(bytes, truncated);
        return { kind: 'string', text, binary, truncated: truncated || binary, bytesShown: binary ? Math.min(bytes.length, PREVIEW_LIMITS.maxElementBytes) : bytes.length };
      }
      case 'hash': {
        const fields = budget.take(await this.redis.hashFields(key, n), ([field, value]) => ({ field: budget.cap(field), value: budget.cap(value) }));
        return { kind: 'hash', fields, truncated: fields.length < length || budget.cut };
      }
      case 'set': {
        const members = budget.take(await this.redis.setMembers(key, n), (member) => budget.cap(member));
        return { kind: 'set', members, truncated: members.length < length || budget.cut };
      }
      case 'zset': {
        const members = budget.take(await this.redis.sortedSetMembers(key, n), ([member, score]) => ({ member: budget.cap(member), score }));
        return { kind: 'zset', members, truncated: members.length < length || budget.cut };
      }
      case 'list': {
        const items = budget.take(await this.redis.listItems(key, n), (item) => budget.cap(item));
        return { kind: 'list', items, truncated: items.length < length || budget.cut };
      }
      case 'stream': {
        const entries = budget.take(await this.redis.streamEntries(key, Math.min(n, 20)), ([id, flat]) => {
          const fields: Record<string, string> = {};
          for (let i = 0; i + 1 < flat.length; i += 2) fields[budget.cap(flat[i])] = budget.cap(flat[i + 1]);
          return { id, fields };
        });
        return { kind: 'stream', entries, truncated: entries.length < length || budget.cut };
      }
      default:
        return { kind: 'unsupported', message: `No preview for keys of type ${type}` };
    }
  }

  // --- TTL ------------------------------------------------------------------------------------

  async setTtl(request: RedisTtlRequest, actor: Principal): Promise<RedisTtlResponse> {
    const persist = request.persist === true;
    if ((request.ttlSeconds === undefined) === !persist) {
      throw AppError.invalidField('ttlSeconds', 'give either ttlSeconds (a positive number of seconds) or persist: true');
    }
    assertMayChangeKey(await this.access.of(actor), request.key, request.allowProtected);
    if (isProtectedKey(request.key) && !request.allowProtected) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Key "${request.key}" is in the protected namespace ${classifyKey(request.key)}; changing its TTL can break the service. Set allowProtected to do it anyway.`,
        { fields: [{ field: 'key', messages: [`key is protected (${classifyKey(request.key)})`] }], namespace: classifyKey(request.key) },
      );
    }
    const previous = await this.redis.pttl(request.key);
    if (previous === -2) throw AppError.notFound('Key', request.key);
    if (persist) {
      await this.redis.persist(request.key);
    } else if (!(await this.redis.expire(request.key, request.ttlSeconds!))) {
      throw AppError.notFound('Key', request.key);
    }
    const now = await this.redis.pttl(request.key);
    if (now === -2) throw AppError.notFound('Key', request.key);
    const result = { key: request.key, previousTtlSeconds: ttlSecondsOf(previous), ttlSeconds: ttlSecondsOf(now) };
    return result;
  }

  // --- slow log -------------------------------------------------------------------------------

  /**
   * The slow log of every node. Its entries hold any client's command arguments (other applications' values, cached
   * rows): admins see them capped in size; everyone else sees the command name and, when it is one of the service's
   * own keys, the key — every other argument is redacted. A command on a key of a refused source is redacted for all.
   */
  async slowlog(limit: number, actor: Principal): Promise<RedisSlowlogResponse> {
    const access = await this.access.of(actor);
    const commandOf = (args: string[]): string[] =>
      isAdmin(actor) && !(args.length > 1 && isOfRefusedSource(access, args[1]))
        ? [...args.slice(0, 12).map((arg) => capElement(arg, 120).text), ...(args.length > 12 ? [`… (+${args.length - 12} more)`] : [])]
        : redactedCommand(args, access);
    const nodes = this.redis.nodes();
    const perNode = await Promise.all(
      nodes.map(async (node) => {
        const [entries, length, slowerThan, maxLength] = await Promise.all([
          this.redis.slowlog(node, limit),
          this.redis.slowlogLength(node),
          this.redis.config(node, 'slowlog-log-slower-than'),
          this.redis.config(node, 'slowlog-max-len'),
        ]);
        return { node, entries, length, slowerThan, maxLength };
      }),
    );
    return {
      entries: perNode
        .flatMap(({ node, entries }) =>
          entries.map((entry) => ({
            node: node.name,
            id: entry.id,
            timestamp: new Date(entry.timestamp * 1000).toISOString(),
            durationMicros: entry.durationMicros,
            command: commandOf(entry.args),
            clientAddress: entry.clientAddress,
            clientName: entry.clientName,
          })),
        )
        .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.durationMicros - a.durationMicros)
        .slice(0, limit),
      nodes: perNode.map(({ node, length, slowerThan, maxLength }) => ({
        node: node.name,
        length,
        slowerThanMicros: slowerThan === null ? null : Number(slowerThan),
        maxLength: maxLength === null ? null : Number(maxLength),
      })),
    };
  }

  async resetSlowlog(): Promise<RedisSlowlogResetResponse> {
    const nodes = this.redis.nodes();
    await Promise.all(nodes.map((node) => this.redis.slowlogReset(node)));
    return { nodesReset: nodes.length };
  }

  // --- memory analysis ------------------------------------------------------------------------

  async memory(query: RedisMemoryQuery, actor: Principal): Promise<RedisMemoryAnalysis> {
    const sampleSize = query.sample ?? 2_000;
    const top = query.top ?? 20;
    const nodes = this.redis.nodes();
    const [infos, sample] = await Promise.all([
      Promise.all(nodes.map(async (node) => toNodeStats(node.name, parseInfo(await this.redis.info(node))))),
      this.sampleKeys(nodes, sampleSize),
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
    const totalKeys = this.dbKeys(infos);
    const sampled = measured.length;
    const sampledMemoryBytes = measured.reduce((sum, entry) => sum + entry.memoryBytes, 0);
    const access = await this.access.of(actor);
    const biggest = measured.filter((entry) => isVisibleTo(access, entry.key)).sort((a, b) => b.memoryBytes - a.memoryBytes).slice(0, top);
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

/** Keeps an aggregate's preview under a total byte budget, each element capped too. */
class ByteBudget {
  private used = 0;
  cut = false;

  constructor(private readonly max: number) {}

  cap(value: string): string {
    const { text, truncated } = capElement(value);
    if (truncated) this.cut = true;
    this.used += Buffer.byteLength(text);
    return text;
  }

  take<T, R>(items: T[], map: (item: T) => R): R[] {
    const out: R[] = [];
    for (const item of items) {
      if (this.used >= this.max) {
        this.cut = true;
        break;
      }
      out.push(map(item));
    }
    return out;
  }
}
