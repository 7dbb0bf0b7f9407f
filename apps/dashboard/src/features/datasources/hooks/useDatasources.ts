import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export function useDatasources() {
  return useQuery({
    queryKey: queryKeys.datasources.list(),
    queryFn: ({ signal }) => api.listDatasources(signal),
  });
}
