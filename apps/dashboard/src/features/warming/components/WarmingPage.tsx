import type { DatasourceCacheMetrics } from '@ccc/shared-types';
import { useMemo } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { useCanWriteSettings } from '../../../lib/session';
import { WarmFeedback } from '../../analytics-cache/components/WarmFeedback';
import { useCacheStats } from '../../analytics-cache/hooks/useCacheStats';
import { useNow } from '../../analytics-cache/hooks/useNow';
import { useWarmCache } from '../../analytics-cache/hooks/useWarmCache';
import { useWarmingStatus } from '../hooks/useWarmingStatus';
import { useWarmSchedules } from '../hooks/useWarmSchedules';
import { ActiveWarmingJobs } from './ActiveWarmingJobs';
import { QueueBoardLink } from './QueueBoardLink';
import { ScheduleTable } from './ScheduleTable';
import { WarmingHistory } from './WarmingHistory';

export function WarmingPage() {
  const canWrite = useCanWriteSettings();
  const status = useWarmingStatus();
  const schedules = useWarmSchedules();
  const stats = useCacheStats();
  const warm = useWarmCache();
  const now = useNow(1_000);

  const metricsById = useMemo(
    () => new Map<number, DatasourceCacheMetrics>((stats.data?.datasources ?? []).map((m) => [m.datasourceId, m])),
    [stats.data],
  );
  const datasources = useMemo(() => {
    const byId = new Map<number, string>();
    for (const s of schedules.data ?? []) byId.set(s.datasourceId, s.datasourceName);
    for (const m of stats.data?.datasources ?? [])
      if (!byId.has(m.datasourceId)) byId.set(m.datasourceId, m.datasourceName);
    return byId;
  }, [schedules.data, stats.data]);
  const warmingIds = useMemo(
    () => new Set((status.data?.activeJobs ?? []).map((job) => job.datasourceId)),
    [status.data],
  );
  const datasourceOptions = [...datasources].map(([id, name]) => ({ id, name })).sort((a, b) => a.id - b.id);

  return (
    <section aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">Cache Warming Control</h1>
        <QueueBoardLink />
        {canWrite && (
          <button type="button" className="button" disabled={warm.isPending} onClick={() => warm.mutate({})}>
            Warm All Datasources
          </button>
        )}
      </div>
      <WarmFeedback warm={warm} names={datasources} />

      <section aria-labelledby="active-title" className="page-section">
        <h2 id="active-title">Active Warming Operations</h2>
        {status.isPending && <Loading label="Loading warming status…" />}
        {status.isError && <LoadError error={status.error} />}
        {status.data && <ActiveWarmingJobs status={status.data} canWrite={canWrite} now={now} />}
      </section>

      <section aria-labelledby="schedule-title" className="page-section">
        <h2 id="schedule-title">Schedule Auto-Warm</h2>
        {schedules.isPending && <Loading label="Loading schedules…" />}
        {schedules.isError && <LoadError error={schedules.error} />}
        {schedules.data && (
          <ScheduleTable
            schedules={schedules.data}
            metricsById={metricsById}
            warmingIds={warmingIds}
            canWrite={canWrite}
            now={now}
            warmPendingId={warm.isPending ? (warm.variables.datasourceId ?? null) : null}
            onWarm={(datasourceId, force) => warm.mutate({ datasourceId, force })}
          />
        )}
      </section>

      <section aria-labelledby="history-title" className="page-section">
        <h2 id="history-title">Warming History</h2>
        <WarmingHistory datasources={datasourceOptions} live={warmingIds.size > 0} />
      </section>
    </section>
  );
}
