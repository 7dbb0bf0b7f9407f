import { LoadError, Loading } from '../../../components/QueryStatus';
import { DataTable } from '../../../components/ui/DataTable';
import { formatBytes, formatCount, formatPercent, ratioToPercent } from '../../../lib/format';
import { useRedisMemory } from '../hooks/useRedis';
import { namespaceLabel } from '../namespaces';

export function MemoryAnalysis() {
  const memory = useRedisMemory({ sample: 2000, top: 20 });
  if (memory.isPending) return <Loading label="Sampling key sizes…" />;
  if (memory.isError) return <LoadError error={memory.error} />;
  const data = memory.data;
  return (
    <>
      <p className="muted" data-testid="memory-note">
        From a sample of {formatCount(data.sampled)} of {formatCount(data.totalKeys)} keys (
        {formatBytes(data.sampledMemoryBytes)} of {formatBytes(data.usedMemoryBytes)} used): namespace totals are
        estimates.
      </p>
      <div className="card">
        <h2>Namespaces by memory</h2>
        <DataTable
          label="Namespaces by memory"
          testId="memory-namespaces"
          card={false}
          rows={data.namespaces}
          rowKey={(ns) => ns.namespace}
          empty="No keys in the sample."
          columns={[
            {
              id: 'namespace',
              header: 'Namespace',
              cell: (ns) => namespaceLabel(ns.namespace),
              sortValue: (ns) => namespaceLabel(ns.namespace),
            },
            {
              id: 'keys',
              header: 'Keys in sample',
              numeric: true,
              cell: (ns) => formatCount(ns.sampledKeys),
              sortValue: (ns) => ns.sampledKeys,
            },
            {
              id: 'memory',
              header: 'Sampled memory',
              numeric: true,
              cell: (ns) => formatBytes(ns.sampledMemoryBytes),
              sortValue: (ns) => ns.sampledMemoryBytes,
            },
            {
              id: 'share',
              header: 'Share',
              numeric: true,
              cell: (ns) => formatPercent(ratioToPercent(ns.share)),
              sortValue: (ns) => ns.share,
            },
            {
              id: 'total',
              header: 'Estimated total',
              numeric: true,
              cell: (ns) => `≈ ${formatBytes(ns.estimatedMemoryBytes)}`,
              sortValue: (ns) => ns.estimatedMemoryBytes,
            },
          ]}
        />
      </div>
      <div className="card">
        <h2>Biggest keys in the sample</h2>
        <DataTable
          label="Biggest keys in the sample"
          testId="memory-top-keys"
          card={false}
          rows={data.topKeys}
          rowKey={(key) => key.key}
          empty="No keys in the sample."
          columns={[
            {
              id: 'key',
              header: 'Key',
              className: 'redis-key-cell',
              cell: (key) => <code title={key.key}>{key.key}</code>,
              sortValue: (key) => key.key,
            },
            { id: 'type', header: 'Type', cell: (key) => key.type, sortValue: (key) => key.type },
            {
              id: 'namespace',
              header: 'Namespace',
              cell: (key) => namespaceLabel(key.namespace),
              sortValue: (key) => namespaceLabel(key.namespace),
            },
            {
              id: 'memory',
              header: 'Memory',
              numeric: true,
              cell: (key) => formatBytes(key.memoryBytes),
              sortValue: (key) => key.memoryBytes,
            },
          ]}
        />
      </div>
    </>
  );
}
