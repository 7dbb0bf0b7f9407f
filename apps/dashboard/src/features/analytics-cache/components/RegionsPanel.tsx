import type { DatasourceRegionStatus } from '@ccc/shared-types';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { formatCount, formatRelative } from '../../../lib/format';
import { useDatasourceRegions } from '../hooks/useDatasourceRegions';

const none = '—';

function lag(row: DatasourceRegionStatus): string {
  if (!row.reachable) return 'unreachable';
  if (row.upToDate) return 'up to date';
  return row.lagSeconds === null ? 'behind' : `${formatCount(row.lagSeconds)} s behind`;
}

function columns(now: number): ReadonlyArray<Column<DatasourceRegionStatus>> {
  return [
    { id: 'region', header: 'Region', cell: (row) => row.region, rowHeader: true },
    {
      id: 'generation',
      header: 'Generation',
      cell: (row) => (row.generation === null ? none : String(row.generation)),
    },
    { id: 'warmed', header: 'Warmed', cell: (row) => (row.lastWarmed ? formatRelative(row.lastWarmed, now) : none) },
    { id: 'entries', header: 'Entries', cell: (row) => formatCount(row.entries) },
    { id: 'memory', header: 'Memory', cell: (row) => `${formatCount(Math.round(row.memoryBytes / 1024))} KB` },
    {
      id: 'result',
      header: 'Last warm',
      cell: (row) => (row.lastResult ? (row.lastResult.error ?? row.lastResult.status) : none),
      cellTestId: (row) => `region-result-${row.region}`,
    },
    { id: 'lag', header: 'Lag', cell: lag, cellTestId: (row) => `region-lag-${row.region}` },
  ];
}

/**
 * The datasource's cache in each Redis region (REDIS_REGIONS): shown only when more than the primary is configured.
 * A region that failed a warm keeps serving its older generation until a later warm catches it up.
 */
export function RegionsPanel({ datasourceId, now }: { datasourceId: number; now: number }) {
  const regions = useDatasourceRegions(datasourceId);
  if (!regions.data || regions.data.length < 2) return null;
  return (
    <section className="card page-section" aria-labelledby="regions-title" data-testid="regions-panel">
      <h2 id="regions-title">Regions</h2>
      <DataTable
        label="The cache in each Redis region"
        testId="regions-table"
        rows={regions.data}
        rowKey={(row) => row.region}
        columns={columns(now)}
        card={false}
      />
    </section>
  );
}
