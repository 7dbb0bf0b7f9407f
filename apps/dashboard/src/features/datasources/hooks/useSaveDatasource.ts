import type { CreateDatasourceRequest, Datasource, UpdateDatasourceRequest } from '@ccc/shared-types';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

function useOnSaved() {
  const queryClient = useQueryClient();
  return async (saved: Datasource) => {
    queryClient.setQueryData(queryKeys.datasources.detail(saved.id), saved);
    await queryClient.invalidateQueries({ queryKey: queryKeys.datasources.all });
  };
}

/** Validation errors are shown beside the fields, so these mutations raise no toast. */
export function useUpdateDatasource(id: number) {
  const onSuccess = useOnSaved();
  return useMutation({
    mutationFn: (body: UpdateDatasourceRequest) => api.updateDatasource(id, body),
    onSuccess,
    meta: { inlineErrors: true },
  });
}

export function useCreateDatasource() {
  const onSuccess = useOnSaved();
  return useMutation({
    mutationFn: (body: CreateDatasourceRequest) => api.createDatasource(body),
    onSuccess,
    meta: { inlineErrors: true },
  });
}
