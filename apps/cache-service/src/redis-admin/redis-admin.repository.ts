import { Inject, Injectable } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { REDIS, type RedisClient } from '../redis/redis.module.js';

/** One Redis server: a standalone Redis, or one master of a cluster. SCAN, INFO and SLOWLOG are per server. */
export interface RedisNode {
  name: string;
  client: Redis;
}

export interface ScanOptions {
  match: string;
  count: number;
  type?: string;
}

export interface KeyFacts {
  type: string;
  ttlMs: number;
}

export interface SlowlogRaw {
  id: number;
  timestamp: number;
  durationMicros: number;
  args: string[];
  clientAddress: string;
  clientName: string;
}

type PipelineResult = Array<[Error | null, unknown]> | null;

const resultsOf = (results: PipelineResult): unknown[] =>
  (results ?? []).map(([error, value]) => (error ? null : value));

/**
 * The only class of the Redis admin tools that talks to ioredis. Never KEYS, never FLUSH*: the whole
 * keyspace is only ever walked with SCAN, and deletes are UNLINKs of bounded batches.
 */
@Injectable()
export class RedisAdminRepository {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  get mode(): 'standalone' | 'cluster' {
    return this.redis instanceof Cluster ? 'cluster' : 'standalone';
  }

  /** The database SCAN walks (always 0 on a cluster). */
  selectedDb(): number {
    return this.redis instanceof Cluster ? 0 : (this.redis.options.db ?? 0);
  }

  /** Masters in a stable order (by address), so that a cursor naming a node index stays valid. */
  nodes(): RedisNode[] {
    if (!(this.redis instanceof Cluster)) {
      const options = this.redis.options;
      return [{ name: `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`, client: this.redis }];
    }
    return this.redis
      .nodes('master')
      .map((client) => ({ name: `${client.options.host}:${client.options.port}`, client }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  }

  async scan(node: RedisNode, cursor: string, options: ScanOptions): Promise<{ cursor: string; keys: string[] }> {
    const args: Array<string | number> = [cursor, 'MATCH', options.match, 'COUNT', options.count];
    if (options.type) args.push('TYPE', options.type);
    const [next, keys] = (await node.client.call('SCAN', ...args)) as [string, string[]];
    return { cursor: String(next), keys };
  }

  /** SCAN returning raw bytes, so that a purge deletes exactly the keys Redis holds (also non-UTF-8 names). */
  async scanBuffer(node: RedisNode, cursor: string, options: ScanOptions): Promise<{ cursor: string; keys: Buffer[] }> {
    const args: Array<string | number> = [cursor, 'MATCH', options.match, 'COUNT', options.count];
    if (options.type) args.push('TYPE', options.type);
    const [next, keys] = (await node.client.callBuffer('SCAN', ...args)) as [Buffer, Buffer[]];
    return { cursor: next.toString(), keys };
  }

  /**
   * Deletes one batch. Standalone: one UNLINK of the whole batch. Cluster: keys of several slots cannot
   * share a command, so one UNLINK per key, pipelined to the node that returned them.
   */
  async unlink(node: RedisNode, keys: Buffer[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (this.mode === 'standalone') return (await node.client.unlink(...keys)) as number;
    const pipeline = node.client.pipeline();
    for (const key of keys) pipeline.unlink(key);
    return resultsOf(await pipeline.exec()).reduce<number>(
      (sum, value) => sum + (typeof value === 'number' ? value : 0),
      0,
    );
  }

  async info(node: RedisNode, section?: string): Promise<string> {
    return section ? node.client.info(section) : node.client.info();
  }

  /** TYPE and PTTL of keys that live on `node`, in one round trip. */
  async keyFacts(node: RedisNode, keys: string[]): Promise<KeyFacts[]> {
    if (keys.length === 0) return [];
    const pipeline = node.client.pipeline();
    for (const key of keys) pipeline.type(key).pttl(key);
    const values = resultsOf(await pipeline.exec());
    return keys.map((_, index) => ({
      type: String(values[index * 2] ?? 'none'),
      ttlMs: typeof values[index * 2 + 1] === 'number' ? (values[index * 2 + 1] as number) : -2,
    }));
  }

  async memoryUsage(node: RedisNode, keys: string[]): Promise<Array<number | null>> {
    if (keys.length === 0) return [];
    const pipeline = node.client.pipeline();
    for (const key of keys) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '5');
    return resultsOf(await pipeline.exec()).map((value) => (typeof value === 'number' ? value : null));
  }

  async slowlog(node: RedisNode, count: number): Promise<SlowlogRaw[]> {
    const raw = (await node.client.call('SLOWLOG', 'GET', count)) as unknown[][];
    return raw.map((entry) => ({
      id: Number(entry[0]),
      timestamp: Number(entry[1]),
      durationMicros: Number(entry[2]),
      args: Array.isArray(entry[3]) ? (entry[3] as unknown[]).map(String) : [],
      clientAddress: entry[4] === undefined ? '' : String(entry[4]),
      clientName: entry[5] === undefined ? '' : String(entry[5]),
    }));
  }

  async slowlogLength(node: RedisNode): Promise<number> {
    return Number(await node.client.call('SLOWLOG', 'LEN'));
  }

  async slowlogReset(node: RedisNode): Promise<void> {
    await node.client.call('SLOWLOG', 'RESET');
  }

  /** A CONFIG value, or null where CONFIG is disabled (managed Redis services often rename it). */
  async config(node: RedisNode, name: string): Promise<string | null> {
    try {
      const reply = (await node.client.call('CONFIG', 'GET', name)) as string[];
      return reply[1] ?? null;
    } catch {
      return null;
    }
  }

  // --- single keys (routed by the client: on a cluster, to the key's slot) ---------------------

  async describeKey(
    key: string,
  ): Promise<{ type: string; ttlMs: number; encoding: string | null; memoryBytes: number | null }> {
    const [type, ttl, encoding, memory] = resultsOf(
      await this.redis
        .pipeline()
        .type(key)
        .pttl(key)
        .call('OBJECT', 'ENCODING', key)
        .call('MEMORY', 'USAGE', key, 'SAMPLES', '5')
        .exec(),
    );
    return {
      type: typeof type === 'string' ? type : 'none',
      ttlMs: typeof ttl === 'number' ? ttl : -2,
      encoding: typeof encoding === 'string' ? encoding : null,
      memoryBytes: typeof memory === 'number' ? memory : null,
    };
  }

  async lengthOf(key: string, type: string): Promise<number> {
    switch (type) {
      case 'string':
        return this.redis.strlen(key);
      case 'hash':
        return this.redis.hlen(key);
      case 'set':
        return this.redis.scard(key);
      case 'zset':
        return this.redis.zcard(key);
      case 'list':
        return this.redis.llen(key);
      case 'stream':
        return this.redis.xlen(key);
      default:
        return 0;
    }
  }

  /** The first `maxBytes` bytes of a string: GETRANGE, never GET (the value may be huge). */
  async stringPrefix(key: string, maxBytes: number): Promise<Buffer> {
    return this.redis.getrangeBuffer(key, 0, maxBytes - 1);
  }

  /** Up to about `count` fields, by HSCAN (a bounded number of calls). */
  async hashFields(key: string, count: number): Promise<Array<[string, string]>> {
    const fields: Array<[string, string]> = [];
    let cursor = '0';
    for (let call = 0; call < 5; call += 1) {
      const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', String(count));
      for (let i = 0; i + 1 < flat.length && fields.length < count; i += 2) fields.push([flat[i], flat[i + 1]]);
      cursor = next;
      if (cursor === '0' || fields.length >= count) break;
    }
    return fields;
  }

  async setMembers(key: string, count: number): Promise<string[]> {
    const members: string[] = [];
    let cursor = '0';
    for (let call = 0; call < 5; call += 1) {
      const [next, batch] = await this.redis.sscan(key, cursor, 'COUNT', String(count));
      members.push(...batch.slice(0, count - members.length));
      cursor = next;
      if (cursor === '0' || members.length >= count) break;
    }
    return members;
  }

  async sortedSetMembers(key: string, count: number): Promise<Array<[string, string]>> {
    const flat = await this.redis.zrange(key, '0', String(count - 1), 'WITHSCORES');
    const members: Array<[string, string]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) members.push([flat[i], flat[i + 1]]);
    return members;
  }

  async listItems(key: string, count: number): Promise<string[]> {
    return this.redis.lrange(key, 0, count - 1);
  }

  async streamEntries(key: string, count: number): Promise<Array<[string, string[]]>> {
    return (await this.redis.xrange(key, '-', '+', 'COUNT', count)) as Array<[string, string[]]>;
  }

  async hashGetAll(key: string): Promise<Record<string, string>> {
    return this.redis.hgetall(key);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.redis.exists(key)) === 1;
  }

  async pttl(key: string): Promise<number> {
    return this.redis.pttl(key);
  }

  /** EXPIRE / PERSIST; false when the key no longer exists. */
  async expire(key: string, seconds: number): Promise<boolean> {
    return (await this.redis.expire(key, seconds)) === 1;
  }

  async persist(key: string): Promise<void> {
    await this.redis.persist(key);
  }

  // --- purge progress (one small hash per run, with an expiry) ---------------------------------

  async writeProgress(key: string, fields: Record<string, string>, ttlSeconds: number): Promise<void> {
    await this.redis.multi().hset(key, fields).expire(key, ttlSeconds).exec();
  }

  async readProgress(key: string): Promise<Record<string, string> | null> {
    const fields = await this.redis.hgetall(key);
    return Object.keys(fields).length > 0 ? fields : null;
  }
}
