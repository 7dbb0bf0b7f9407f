import { LoadError, Loading } from '../../../components/QueryStatus';
import { DataTable } from '../../../components/ui/DataTable';
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
          <button
            type="button"
            className="button button-small button-secondary"
            onClick={() => reset.mutate()}
            disabled={reset.isPending}
          >
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
              .map(
                (n) =>
                  `${n.node}: ${formatCount(n.length)} entries${n.slowerThanMicros !== null ? `, logs commands slower than ${formatCount(n.slowerThanMicros)} µs` : ''}`,
              )
              .join(' · ')}
          </p>
          <DataTable
            label="Slow log entries"
            testId="slowlog-table"
            card={false}
            rows={slowlog.data.entries}
            rowKey={(entry) => `${entry.node}-${entry.id}`}
            empty="The slow log is empty."
            emptyTestId="slowlog-empty"
            columns={[
              {
                id: 'when',
                header: 'When',
                cell: (entry) => formatDateTime(entry.timestamp),
                sortValue: (entry) => entry.timestamp,
              },
              {
                id: 'duration',
                header: 'Duration',
                numeric: true,
                cell: (entry) => `${formatCount(entry.durationMicros)} µs`,
                sortValue: (entry) => entry.durationMicros,
              },
              {
                id: 'command',
                header: 'Command',
                className: 'redis-preview-cell',
                cell: (entry) => <code>{entry.command.join(' ')}</code>,
              },
              { id: 'client', header: 'Client', cell: (entry) => entry.clientName || entry.clientAddress },
              { id: 'node', header: 'Node', cell: (entry) => <code>{entry.node}</code> },
            ]}
          />
        </>
      )}
    </div>
  );
}
