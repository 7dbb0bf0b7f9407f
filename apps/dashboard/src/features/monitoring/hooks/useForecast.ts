import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../../lib/query-keys';
import { monitoringApi } from '../api';

/** The demand forecast of one datasource for the next `hours` (history up to yesterday: it changes daily). */
export function useForecast(datasourceId: number, hours: number) {
  return useQuery({
    queryKey: queryKeys.monitoring.forecast(datasourceId, hours),
    queryFn: ({ signal }) => monitoringApi.forecast(datasourceId, hours, signal),
  });
}

/** The forecast's backtest against the old rule over the last `days` complete days. */
export function useForecastBacktest(datasourceId: number, days: number) {
  return useQuery({
    queryKey: queryKeys.monitoring.forecastBacktest(datasourceId, days),
    queryFn: ({ signal }) => monitoringApi.forecastBacktest(datasourceId, days, signal),
  });
}
