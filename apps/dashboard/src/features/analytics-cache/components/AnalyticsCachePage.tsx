import type { ActiveWarmingJob } from '@ccc/shared-types';
import { useMemo, useState } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import { useOpenAlerts } from '../../monitoring/hooks/useAlerts';
import { alertsOf } from '../../monitoring/open-alerts';
import { useWarmingStatus } from '../../warming/hooks/useWarmingStatus';
import { useCacheStats } from '../hooks/useCacheStats';
import { useNow } from '../hooks/useNow';
import { useWarmCache } from '../hooks/useWarmCache';
import { CacheCardFilters, CacheCardPagination, useCardPage } from './CacheCardFilters';
import { CacheHealthPanel } from './CacheHealthPanel';
import { CacheSummaryCards } from './CacheSummaryCards';
import { DatasourceCacheCard } from './DatasourceCacheCard';
import { InvalidateDialog, type InvalidateTarget } from './InvalidateDialog';
import { WarmFeedback } from './WarmFeedback';

export function AnalyticsCachePage() {
  const canWrite = useCanWriteSettings();
  const stats = useCacheStats();
  const status = useWarmingStatus();
  const datasources = useDatasources();
  const warm = useWarmCache();
  const now = useNow();
  const openAlerts = useOpenAlerts();
  const [invalidating, setInvalidating] = useState<InvalidateTarget | null>(null);

  const cards = useMemo(
    () => [...(stats.data?.datasources ?? [])].sort((a, b) => a.datasourceId - b.datasourceId),
    [stats.data],
  );
  const cardPage = useCardPage(cards);
  const names = useMemo(() => new Map(cards.map((m) => [m.datasourceId, m.datasourceName])), [cards]);
  const ttlById = useMemo(
    () => new Map((datasources.data ?? []).map((ds) => [ds.id, ds.stalenessTtlSeconds])),
    [datasources.data],
  );
  const jobByDatasource = useMemo(() => {
    const byId = new Map<number, ActiveWarmingJob>();
    for (const job of status.data?.activeJobs ?? []) byId.set(job.datasourceId, job);
    return byId;
  }, [status.data]);

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Analytics Cache</h1>
      <div className="section-header">
        <h2 id="overview-title">Overview</h2>
        {canWrite && (
          <button type="button" className="button" disabled={warm.isPending} onClick={() => warm.mutate({})}>
            Warm All
          </button>
        )}
      </div>
      <WarmFeedback warm={warm} names={names} />

      {stats.isPending && <Loading label="Loading cache statistics…" />}
      {stats.isError && <LoadError error={stats.error} />}
      {stats.data && (
        <>
          <CacheSummaryCards summary={stats.data.summary} />
          <h3 className="subheading">Data sources</h3>
          {cards.length === 0 && <p className="card card-muted">No datasources registered yet.</p>}
          {cards.length > 0 && (
            <CacheCardFilters
              filter={cardPage.filter}
              page={cardPage.page}
              total={cards.length}
              onChange={cardPage.setFilter}
            />
          )}
          {cards.length > 0 && cardPage.page.matching === 0 && (
            <p className="card card-muted">No datasource matches this search.</p>
          )}
          <div className="ds-cards">
            {cardPage.page.items.map((metrics) => (
              <DatasourceCacheCard
                key={metrics.datasourceId}
                metrics={metrics}
                activeJob={jobByDatasource.get(metrics.datasourceId)}
                ttlSeconds={ttlById.get(metrics.datasourceId)}
                alerts={alertsOf(openAlerts.alerts, metrics.datasourceId)}
                canWrite={canWrite}
                now={now}
                warmPending={warm.isPending && warm.variables.datasourceId === metrics.datasourceId}
                onWarm={(force) => warm.mutate({ datasourceId: metrics.datasourceId, force })}
                onInvalidate={() =>
                  setInvalidating({
                    datasourceId: metrics.datasourceId,
                    datasourceName: metrics.datasourceName,
                    entries: metrics.totalEntries,
                    indexes: metrics.indexCount,
                    memoryMB: metrics.estimatedMemoryMB,
                  })
                }
              />
            ))}
          </div>
          <CacheCardPagination filter={cardPage.filter} page={cardPage.page} onChange={cardPage.setFilter} />
        </>
      )}
      <CacheHealthPanel openAlerts={openAlerts.alerts} />
      {invalidating && <InvalidateDialog target={invalidating} onClose={() => setInvalidating(null)} />}
    </section>
  );
}
