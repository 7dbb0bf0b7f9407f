import type { RedisKeysQuery, RedisMemoryQuery } from '@ccc/shared-types';

/** Query keys of the Redis tab, under one root so a purge can refresh everything it may have changed. */
export const redisQueryKeys = {
  all: ['redis'] as const,
  stats: () => [...redisQueryKeys.all, 'stats'] as const,
  keys: (query: Omit<RedisKeysQuery, 'cursor'>) => [...redisQueryKeys.all, 'keys', query] as const,
  inspect: (key: string) => [...redisQueryKeys.all, 'inspect', key] as const,
  purge: (purgeId: string) => [...redisQueryKeys.all, 'purge', purgeId] as const,
  slowlog: (limit: number) => [...redisQueryKeys.all, 'slowlog', limit] as const,
  memory: (query: RedisMemoryQuery) => [...redisQueryKeys.all, 'memory', query] as const,
};
