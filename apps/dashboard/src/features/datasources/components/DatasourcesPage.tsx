import { Link } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { formatDuration } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../hooks/useDatasources';

export function DatasourcesPage() {
  const canWrite = useCanWriteSettings();
  const datasources = useDatasources();
  const rows = [...(datasources.data ?? [])].sort((a, b) => a.id - b.id);

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
      {datasources.isPending && <Loading label="Loading datasources…" />}
      {datasources.isError && <LoadError error={datasources.error} />}
      {datasources.isSuccess && rows.length === 0 && <p className="card card-muted">No datasources registered yet.</p>}
      {rows.length > 0 && (
        <div className="table-wrap card">
          <table className="table" data-testid="datasources-table">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Name</th>
                <th scope="col">Source table</th>
                <th scope="col">Staleness TTL</th>
                <th scope="col">Min warm interval</th>
                <th scope="col">Schedule</th>
                <th scope="col">Status</th>
                {canWrite && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((ds) => (
                <tr key={ds.id}>
                  <td className="numeric">{ds.id}</td>
                  <td>
                    <Link to={`/datasources/${ds.id}`}>{ds.name}</Link>
                  </td>
                  <td>
                    <code>{ds.sourceTable}</code>
                  </td>
                  <td title={`${ds.stalenessTtlSeconds} s`}>{formatDuration(ds.stalenessTtlSeconds)}</td>
                  <td title={`${ds.minWarmIntervalSeconds} s`}>{formatDuration(ds.minWarmIntervalSeconds)}</td>
                  <td>{ds.warmSchedule ? <code>{ds.warmSchedule}</code> : <span className="muted">Manual</span>}</td>
                  <td>
                    <span className={`badge ${ds.enabled ? 'badge-ok' : 'badge-neutral'}`}>
                      {ds.enabled ? 'Enabled' : 'Disabled'}
                    </span>
                  </td>
                  {canWrite && (
                    <td>
                      <Link to={`/datasources/${ds.id}`} className="button button-small button-secondary" aria-label={`Edit ${ds.name}`}>
                        Edit
                      </Link>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
