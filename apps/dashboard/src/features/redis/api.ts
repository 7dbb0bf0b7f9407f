import type {
  RedisKeyInspection,
  RedisKeysPage,
  RedisKeysQuery,
  RedisMemoryAnalysis,
  RedisMemoryQuery,
  RedisPurgeRequest,
  RedisPurgeResult,
  RedisSlowlogResetResponse,
  RedisSlowlogResponse,
  RedisStatsResponse,
  RedisTtlRequest,
  RedisTtlResponse,
} from '@ccc/shared-types';
import { request } from '../../lib/api-client';

export const redisApi = {
  stats: (signal?: AbortSignal) => request<RedisStatsResponse>('GET', '/api/admin/redis/stats', { signal }),
  keys: (query: RedisKeysQuery, signal?: AbortSignal) =>
    request<RedisKeysPage>('GET', '/api/admin/redis/keys', { query: { ...query }, signal }),
  inspect: (key: string, signal?: AbortSignal) =>
    request<RedisKeyInspection>('GET', '/api/admin/redis/inspect', { query: { key }, signal }),
  setTtl: (body: RedisTtlRequest) => request<RedisTtlResponse>('POST', '/api/admin/redis/ttl', { body }),
  purge: (body: RedisPurgeRequest) => request<RedisPurgeResult>('POST', '/api/admin/redis/purge', { body }),
  purgeStatus: (purgeId: string, signal?: AbortSignal) =>
    request<RedisPurgeResult>('GET', `/api/admin/redis/purge/${encodeURIComponent(purgeId)}`, { signal }),
  slowlog: (limit: number, signal?: AbortSignal) =>
    request<RedisSlowlogResponse>('GET', '/api/admin/redis/slowlog', { query: { limit }, signal }),
  resetSlowlog: () => request<RedisSlowlogResetResponse>('POST', '/api/admin/redis/slowlog/reset', { body: {} }),
  memory: (query: RedisMemoryQuery, signal?: AbortSignal) =>
    request<RedisMemoryAnalysis>('GET', '/api/admin/redis/memory', { query: { ...query }, signal }),
};
