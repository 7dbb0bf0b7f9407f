import type { RedisNodeStats, RedisStatsResponse } from '@ccc/shared-types';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { formatBytes, formatCount, formatDuration, formatPercent, ratioToPercent } from '../../../lib/format';
import { useRedisStats } from '../hooks/useRedis';
import { NAMESPACE_LABELS } from '../namespaces';

function Figure({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="redis-figure" data-testid={testId}>
      <span className="redis-figure-label">{label}</span>
      <span className="redis-figure-value">{value}</span>
      {hint && <span className="redis-figure-hint">{hint}</span>}
    </div>
  );
}

function ServerFigures({ stats }: { stats: RedisNodeStats }) {
  return (
    <div className="redis-figures">
      <Figure label="Hit rate" value={formatPercent(ratioToPercent(stats.hitRate))} hint={`${formatCount(stats.keyspaceHits)} hits · ${formatCount(stats.keyspaceMisses)} misses`} testId="stat-hit-rate" />
      <Figure
        label="Memory used"
        value={formatBytes(stats.usedMemoryBytes)}
        hint={`peak ${formatBytes(stats.peakMemoryBytes)} · max ${stats.maxMemoryBytes ? formatBytes(stats.maxMemoryBytes) : 'no limit'}`}
        testId="stat-memory"
      />
      <Figure label="Fragmentation" value={stats.fragmentationRatio === null ? '—' : stats.fragmentationRatio.toFixed(2)} hint={`policy ${stats.maxMemoryPolicy}`} />
      <Figure label="Keys" value={formatCount(stats.totalKeys)} hint={stats.keyspace.map((db) => `db${db.db}: ${formatCount(db.keys)}`).join(' · ') || 'empty'} testId="stat-keys" />
      <Figure label="Ops/s" value={formatCount(stats.opsPerSecond)} />
      <Figure label="Clients" value={formatCount(stats.connectedClients)} />
      <Figure label="Evicted / expired" value={`${formatCount(stats.evictedKeys)} / ${formatCount(stats.expiredKeys)}`} />
      <Figure label="Uptime" value={formatDuration(stats.uptimeSeconds)} hint={`Redis ${stats.version} · ${stats.role}`} testId="stat-version" />
    </div>
  );
}

function AnalyticsCacheSection({ stats }: { stats: RedisStatsResponse }) {
  const section = stats.analyticsCache;
  return (
    <div className="card" data-testid="analytics-cache-section">
      <h2>Analytics Cache V2</h2>
      <p className="muted">
        About {formatCount(section.estimatedEntries)} entries and {formatCount(section.estimatedIndexSets)} index sets ({formatPercent(ratioToPercent(section.keyShare))} of
        all keys), estimated from the sample below.
      </p>
      {section.datasources.length === 0 ? (
        <p className="muted">No datasources registered.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Datasource</th>
                <th scope="col">Live-generation pointer</th>
                <th scope="col">Generation</th>
                <th scope="col">Pointer fields</th>
              </tr>
            </thead>
            <tbody>
              {section.datasources.map((ds) => (
                <tr key={ds.datasourceId}>
                  <td>
                    {ds.datasourceName} <span className="muted">#{ds.datasourceId}</span>
                  </td>
                  <td>
                    <code>{ds.metaKey}</code>
                  </td>
                  <td>{ds.present ? (ds.liveGeneration ?? '—') : <span className="badge badge-neutral">cold</span>}</td>
                  <td className="redis-fields">
                    {Object.entries(ds.fields)
                      .map(([name, value]) => `${name}=${value}`)
                      .join(' · ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function RedisStatsPanel() {
  const stats = useRedisStats();
  if (stats.isPending) return <Loading label="Loading Redis statistics…" />;
  if (stats.isError) return <LoadError error={stats.error} />;
  const data = stats.data;
  return (
    <div data-testid="redis-stats">
      <AnalyticsCacheSection stats={data} />
      <div className="card">
        <h2>
          Redis server{' '}
          <span className="badge badge-neutral">{data.mode === 'cluster' ? `cluster · ${data.nodes.length} masters` : 'standalone'}</span>
        </h2>
        <ServerFigures stats={data.total} />
        {data.mode === 'cluster' && (
          <div className="table-wrap">
            <table className="table" data-testid="redis-nodes">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col" className="numeric">Keys</th>
                  <th scope="col" className="numeric">Memory</th>
                  <th scope="col" className="numeric">Hit rate</th>
                  <th scope="col" className="numeric">Ops/s</th>
                  <th scope="col" className="numeric">Clients</th>
                </tr>
              </thead>
              <tbody>
                {data.nodes.map((node) => (
                  <tr key={node.node}>
                    <td>
                      <code>{node.node}</code>
                    </td>
                    <td className="numeric">{formatCount(node.totalKeys)}</td>
                    <td className="numeric">{formatBytes(node.usedMemoryBytes)}</td>
                    <td className="numeric">{formatPercent(ratioToPercent(node.hitRate))}</td>
                    <td className="numeric">{formatCount(node.opsPerSecond)}</td>
                    <td className="numeric">{formatCount(node.connectedClients)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <div className="card">
        <h2>Keys by namespace</h2>
        <p className="muted" data-testid="distribution-note">
          From a sample of {formatCount(data.distribution.sampled)} of {formatCount(data.distribution.totalKeys)} keys: counts are estimates.
        </p>
        <div className="table-wrap">
          <table className="table" data-testid="namespace-table">
            <thead>
              <tr>
                <th scope="col">Namespace</th>
                <th scope="col" className="numeric">In sample</th>
                <th scope="col" className="numeric">Share</th>
                <th scope="col" className="numeric">Estimated keys</th>
              </tr>
            </thead>
            <tbody>
              {data.distribution.namespaces.map((ns) => (
                <tr key={ns.namespace}>
                  <td>{NAMESPACE_LABELS[ns.namespace] ?? ns.namespace}</td>
                  <td className="numeric">{formatCount(ns.sampledKeys)}</td>
                  <td className="numeric">{formatPercent(ratioToPercent(ns.share))}</td>
                  <td className="numeric">≈ {formatCount(ns.estimatedKeys)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
