import { LoadError, Loading } from '../../../components/QueryStatus';
import { formatCount, formatDateTime } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useRedisSlowlog, useResetSlowlog } from '../hooks/useRedis';

const LIMIT = 50;

export function SlowlogTable() {
  const canWrite = useCanWriteSettings();
  const slowlog = useRedisSlowlog(LIMIT);
  const reset = useResetSlowlog();
  return (
    <div className="card">
      <div className="page-header">
        <h2>Slow log</h2>
        {canWrite && (
          <button type="button" className="button button-small button-secondary" onClick={() => reset.mutate()} disabled={reset.isPending}>
            Reset slow log
          </button>
        )}
      </div>
      {slowlog.isPending && <Loading label="Loading the slow log…" />}
      {slowlog.isError && <LoadError error={slowlog.error} />}
      {slowlog.isSuccess && (
        <>
          <p className="muted">
            {slowlog.data.nodes
              .map((n) => `${n.node}: ${formatCount(n.length)} entries${n.slowerThanMicros !== null ? `, logs commands slower than ${formatCount(n.slowerThanMicros)} µs` : ''}`)
              .join(' · ')}
          </p>
          <div className="table-wrap">
            <table className="table" data-testid="slowlog-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col" className="numeric">Duration</th>
                  <th scope="col">Command</th>
                  <th scope="col">Client</th>
                  <th scope="col">Node</th>
                </tr>
              </thead>
              <tbody>
                {slowlog.data.entries.map((entry) => (
                  <tr key={`${entry.node}-${entry.id}`}>
                    <td>{formatDateTime(entry.timestamp)}</td>
                    <td className="numeric">{formatCount(entry.durationMicros)} µs</td>
                    <td className="redis-preview-cell">
                      <code>{entry.command.join(' ')}</code>
                    </td>
                    <td>{entry.clientName || entry.clientAddress}</td>
                    <td>
                      <code>{entry.node}</code>
                    </td>
                  </tr>
                ))}
                {slowlog.data.entries.length === 0 && (
                  <tr>
                    <td colSpan={5} className="muted">
                      The slow log is empty.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
