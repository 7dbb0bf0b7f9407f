import { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';

export const REDIS = Symbol('REDIS');
export type RedisClient = Redis | Cluster;

/**
 * A client that fails commands fast while Redis is away (so /health/ready answers 503 at once), fails a command
 * Redis does not answer within REDIS_COMMAND_TIMEOUT_MS (a network path that hangs without a reset), and
 * reconnects by itself with backoff when Redis comes back. The queue's connections (JobRepository) have no such
 * timeout: BullMQ's blocking commands wait on purpose. Not auto-pipelined: ioredis 6 loses the command name of
 * `callBuffer` in an auto-pipeline (the Redis tools' SCAN), and each awaited command would wait a macrotask.
 */
/**
 * How often a Cluster client re-reads the slot map by itself. ioredis refreshes it only on some errors: after a master
 * is killed, commands to its (not yet reconnected) node fail without a refresh, each retry is redirected back to the
 * dead node, and readers got "Too many Cluster redirections" for minutes (redis/ioredis#1863). A periodic refresh
 * bounds that to seconds after the replica is promoted.
 */
export const CLUSTER_SLOTS_REFRESH_MS = 2_000;

/** `url`: another region's Redis (REDIS_REGIONS): a single server, with the same failure behaviour as the primary's. */
export function createRedisClient(config: AppConfig, name: string, url?: string): RedisClient {
  const common = {
    connectionName: `ccc-${name}`,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: config.redis.commandTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000),
  };
  if (url) return new Redis(url, common);
  if (config.redis.clusterNodes) {
    return new Cluster(config.redis.clusterNodes, {
      enableOfflineQueue: false,
      slotsRefreshInterval: CLUSTER_SLOTS_REFRESH_MS,
      clusterRetryStrategy: common.retryStrategy,
      redisOptions: { ...common, password: new URL(config.redis.url).password || undefined },
    });
  }
  return new Redis(config.redis.url, common);
}
