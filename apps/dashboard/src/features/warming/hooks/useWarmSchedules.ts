import type { UpdateWarmScheduleRequest, WarmSchedule } from '@ccc/shared-types';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { warmingApi } from '../api';

export function useWarmSchedules() {
  return useQuery({
    queryKey: queryKeys.warming.schedules(),
    queryFn: ({ signal }) => warmingApi.schedules(signal),
    // An open cron editor must not be refreshed under the user's fingers.
    refetchOnWindowFocus: false,
  });
}

/** A bad cron expression comes back as a 400 on the `cron` field, shown beside the input: no toast. */
export function useUpdateWarmSchedule(datasourceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateWarmScheduleRequest) => warmingApi.updateSchedule(datasourceId, body),
    onSuccess: async (saved) => {
      queryClient.setQueryData<WarmSchedule[]>(queryKeys.warming.schedules(), (list) =>
        list?.map((schedule) => (schedule.datasourceId === saved.datasourceId ? saved : schedule)),
      );
      // The datasource's own `warmSchedule` is the same setting.
      await queryClient.invalidateQueries({ queryKey: queryKeys.datasources.all });
    },
    meta: { inlineErrors: true },
  });
}
