import type { Datasource } from '@ccc/shared-types';
import { Link } from 'react-router-dom';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { formatDuration } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../hooks/useDatasources';

const COLUMNS: Array<Column<Datasource>> = [
  { id: 'id', header: 'ID', numeric: true, cell: (ds) => ds.id, sortValue: (ds) => ds.id },
  {
    id: 'name',
    header: 'Name',
    cell: (ds) => <Link to={`/datasources/${ds.id}`}>{ds.name}</Link>,
    sortValue: (ds) => ds.name,
  },
  {
    id: 'table',
    header: 'Source table',
    cell: (ds) => <code>{ds.sourceTable}</code>,
    sortValue: (ds) => ds.sourceTable,
  },
  {
    id: 'ttl',
    header: 'Staleness TTL',
    cell: (ds) => <span title={`${ds.stalenessTtlSeconds} s`}>{formatDuration(ds.stalenessTtlSeconds)}</span>,
    sortValue: (ds) => ds.stalenessTtlSeconds,
  },
  {
    id: 'interval',
    header: 'Min warm interval',
    cell: (ds) => <span title={`${ds.minWarmIntervalSeconds} s`}>{formatDuration(ds.minWarmIntervalSeconds)}</span>,
    sortValue: (ds) => ds.minWarmIntervalSeconds,
  },
  {
    id: 'schedule',
    header: 'Schedule',
    cell: (ds) => (ds.warmSchedule ? <code>{ds.warmSchedule}</code> : <span className="muted">Manual</span>),
  },
  {
    id: 'status',
    header: 'Status',
    cell: (ds) => <Badge tone={ds.enabled ? 'ok' : 'neutral'}>{ds.enabled ? 'Enabled' : 'Disabled'}</Badge>,
    sortValue: (ds) => ds.enabled,
  },
];

const EDIT_COLUMN: Column<Datasource> = {
  id: 'actions',
  header: 'Actions',
  hideHeader: true,
  cell: (ds) => (
    <Link to={`/datasources/${ds.id}`} className="button button-small button-secondary" aria-label={`Edit ${ds.name}`}>
      Edit
    </Link>
  ),
};

export function DatasourcesPage() {
  const canWrite = useCanWriteSettings();
  const datasources = useDatasources();

  return (
    <section aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">Datasources</h1>
        {canWrite && (
          <Link to="/datasources/new" className="button">
            New datasource
          </Link>
        )}
      </div>
      <DataTable
        label="Datasources"
        testId="datasources-table"
        columns={canWrite ? [...COLUMNS, EDIT_COLUMN] : COLUMNS}
        rows={datasources.data}
        rowKey={(ds) => String(ds.id)}
        loading={datasources.isPending}
        loadingLabel="Loading datasources…"
        error={datasources.error}
        initialSort={{ columnId: 'id', direction: 'ascending' }}
        empty="No datasources registered yet."
      />
    </section>
  );
}
