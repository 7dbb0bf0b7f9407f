import type { CacheStatsResponse } from '@ccc/shared-types';
import { formatCompact, formatCount, formatHitRate, formatMemoryMB } from '../../../lib/format';

export function CacheSummaryCards({ summary }: { summary: CacheStatsResponse['summary'] }) {
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
      value: formatHitRate(summary.hitRate),
      label: `Hit rate (${summary.hitRate.window})`,
      title: `${formatCount(summary.hitRate.hits)} hits of ${formatCount(summary.hitRate.requests)} query-API requests, all datasources`,
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
