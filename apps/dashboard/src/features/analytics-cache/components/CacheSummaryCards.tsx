import type { CacheStatsResponse } from '@ccc/shared-types';
import { formatCompact, formatCount, formatMemoryMB, formatPercent } from '../../../lib/format';

interface CacheSummaryCardsProps {
  summary: CacheStatsResponse['summary'];
  /** Without any query since the warms there is no hit rate to show, rather than a misleading 0%. */
  anyQueries: boolean;
}

export function CacheSummaryCards({ summary, anyQueries }: CacheSummaryCardsProps) {
  const cards = [
    { id: 'warm', value: `${summary.warmDatasources} / ${summary.totalDatasources}`, label: 'Warm', title: undefined },
    {
      id: 'entries',
      value: formatCompact(summary.totalCacheEntries),
      label: 'Entries',
      title: `${formatCount(summary.totalCacheEntries)} entries, ${formatCount(summary.totalIndexes)} indexes`,
    },
    { id: 'memory', value: formatMemoryMB(summary.totalMemoryMB), label: 'Memory', title: undefined },
    {
      id: 'hit-rate',
      value: anyQueries ? formatPercent(summary.overallCacheHitRate) : '—',
      label: 'Hit Rate',
      title: anyQueries ? undefined : 'No queries yet',
    },
  ];
  return (
    <ul className="stat-cards" aria-label="Cache summary">
      {cards.map((card) => (
        <li key={card.id} className="card stat-card" data-testid={`summary-${card.id}`} title={card.title}>
          <span className="stat-value">{card.value}</span>
          <span className="stat-label">{card.label}</span>
        </li>
      ))}
    </ul>
  );
}
