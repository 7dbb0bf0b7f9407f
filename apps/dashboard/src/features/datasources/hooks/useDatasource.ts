import { useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export function useDatasource(id: number) {
  return useQuery({
    queryKey: queryKeys.datasources.detail(id),
    queryFn: ({ signal }) => api.getDatasource(id, signal),
    // An open edit form must not be refreshed under the user's fingers.
    refetchOnWindowFocus: false,
  });
}
