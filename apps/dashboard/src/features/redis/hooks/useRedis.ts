import type { RedisKeysQuery, RedisMemoryQuery, RedisPurgeRequest, RedisTtlRequest } from '@ccc/shared-types';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { redisApi } from '../api';
import { redisQueryKeys } from './redis-query-keys';

export function useRedisStats() {
  return useQuery({
    queryKey: redisQueryKeys.stats(),
    queryFn: ({ signal }) => redisApi.stats(signal),
    refetchInterval: 10_000,
  });
}

/** SCAN pages: each page's cursor fetches the next ("load more") until the scan is complete. */
export function useRedisKeys(query: Omit<RedisKeysQuery, 'cursor'>) {
  return useInfiniteQuery({
    queryKey: redisQueryKeys.keys(query),
    queryFn: ({ signal, pageParam }) => redisApi.keys({ ...query, cursor: pageParam }, signal),
    initialPageParam: '0',
    getNextPageParam: (last) => (last.more ? last.cursor : undefined),
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  });
}

export function useRedisInspect(key: string | null) {
  return useQuery({
    queryKey: redisQueryKeys.inspect(key ?? ''),
    queryFn: ({ signal }) => redisApi.inspect(key!, signal),
    enabled: key !== null,
  });
}

export function useSetTtl() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RedisTtlRequest) => redisApi.setTtl(body),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: redisQueryKeys.inspect(result.key) });
      await queryClient.invalidateQueries({ queryKey: [...redisQueryKeys.all, 'keys'] });
    },
    meta: { inlineErrors: true },
  });
}

export function usePurge() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RedisPurgeRequest) => redisApi.purge(body),
    onSuccess: async (result) => {
      if (!result.dryRun) await queryClient.invalidateQueries({ queryKey: redisQueryKeys.all });
    },
    meta: { inlineErrors: true },
  });
}

/** Follows a purge that was still running when the POST answered. */
export function usePurgeProgress(purgeId: string | null, running: boolean) {
  return useQuery({
    queryKey: redisQueryKeys.purge(purgeId ?? ''),
    queryFn: ({ signal }) => redisApi.purgeStatus(purgeId!, signal),
    enabled: purgeId !== null && running,
    refetchInterval: (query) => (query.state.data?.status === 'running' || !query.state.data ? 1000 : false),
  });
}

export function useRedisSlowlog(limit: number) {
  return useQuery({
    queryKey: redisQueryKeys.slowlog(limit),
    queryFn: ({ signal }) => redisApi.slowlog(limit, signal),
  });
}

export function useResetSlowlog() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => redisApi.resetSlowlog(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [...redisQueryKeys.all, 'slowlog'] }),
  });
}

export function useRedisMemory(query: RedisMemoryQuery) {
  return useQuery({
    queryKey: redisQueryKeys.memory(query),
    queryFn: ({ signal }) => redisApi.memory(query, signal),
    refetchOnWindowFocus: false,
  });
}
