import { LoadError, Loading } from '../../../components/QueryStatus';
import { useRedisMemory } from '../hooks/useRedis';
import { NAMESPACE_LABELS } from '../namespaces';
import { formatBytes, formatCount, formatPercent, ratioToPercent } from '../../../lib/format';

export function MemoryAnalysis() {
  const memory = useRedisMemory({ sample: 2000, top: 20 });
  if (memory.isPending) return <Loading label="Sampling key sizes…" />;
  if (memory.isError) return <LoadError error={memory.error} />;
  const data = memory.data;
  return (
    <>
      <p className="muted" data-testid="memory-note">
        From a sample of {formatCount(data.sampled)} of {formatCount(data.totalKeys)} keys ({formatBytes(data.sampledMemoryBytes)} of {formatBytes(data.usedMemoryBytes)}{' '}
        used): namespace totals are estimates.
      </p>
      <div className="card">
        <h2>Namespaces by memory</h2>
        <div className="table-wrap">
          <table className="table" data-testid="memory-namespaces">
            <thead>
              <tr>
                <th scope="col">Namespace</th>
                <th scope="col" className="numeric">Keys in sample</th>
                <th scope="col" className="numeric">Sampled memory</th>
                <th scope="col" className="numeric">Share</th>
                <th scope="col" className="numeric">Estimated total</th>
              </tr>
            </thead>
            <tbody>
              {data.namespaces.map((ns) => (
                <tr key={ns.namespace}>
                  <td>{NAMESPACE_LABELS[ns.namespace] ?? ns.namespace}</td>
                  <td className="numeric">{formatCount(ns.sampledKeys)}</td>
                  <td className="numeric">{formatBytes(ns.sampledMemoryBytes)}</td>
                  <td className="numeric">{formatPercent(ratioToPercent(ns.share))}</td>
                  <td className="numeric">≈ {formatBytes(ns.estimatedMemoryBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div className="card">
        <h2>Biggest keys in the sample</h2>
        <div className="table-wrap">
          <table className="table" data-testid="memory-top-keys">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Type</th>
                <th scope="col">Namespace</th>
                <th scope="col" className="numeric">Memory</th>
              </tr>
            </thead>
            <tbody>
              {data.topKeys.map((key) => (
                <tr key={key.key}>
                  <td className="redis-key-cell">
                    <code title={key.key}>{key.key}</code>
                  </td>
                  <td>{key.type}</td>
                  <td>{NAMESPACE_LABELS[key.namespace] ?? key.namespace}</td>
                  <td className="numeric">{formatBytes(key.memoryBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
