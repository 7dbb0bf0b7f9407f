import type { RedisNodeStats, RedisStatsResponse } from '@ccc/shared-types';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { DataTable } from '../../../components/ui/DataTable';
import { formatBytes, formatCount, formatDuration, formatPercent, ratioToPercent } from '../../../lib/format';
import { useRedisStats } from '../hooks/useRedis';
import { namespaceLabel } from '../namespaces';

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
      <Figure
        label="Keyspace hit rate"
        value={formatPercent(ratioToPercent(stats.hitRate))}
        hint={`${formatCount(stats.keyspaceHits)} hits · ${formatCount(stats.keyspaceMisses)} misses`}
        testId="stat-hit-rate"
      />
      <Figure
        label="Memory used"
        value={formatBytes(stats.usedMemoryBytes)}
        hint={`peak ${formatBytes(stats.peakMemoryBytes)} · max ${stats.maxMemoryBytes ? formatBytes(stats.maxMemoryBytes) : 'no limit'}`}
        testId="stat-memory"
      />
      <Figure
        label="Fragmentation"
        value={stats.fragmentationRatio === null ? '—' : stats.fragmentationRatio.toFixed(2)}
        hint={`policy ${stats.maxMemoryPolicy}`}
      />
      <Figure
        label="Keys"
        value={formatCount(stats.totalKeys)}
        hint={stats.keyspace.map((db) => `db${db.db}: ${formatCount(db.keys)}`).join(' · ') || 'empty'}
        testId="stat-keys"
      />
      <Figure label="Ops/s" value={formatCount(stats.opsPerSecond)} />
      <Figure label="Clients" value={formatCount(stats.connectedClients)} />
      <Figure
        label="Evicted / expired"
        value={`${formatCount(stats.evictedKeys)} / ${formatCount(stats.expiredKeys)}`}
      />
      <Figure
        label="Uptime"
        value={formatDuration(stats.uptimeSeconds)}
        hint={`Redis ${stats.version} · ${stats.role}`}
        testId="stat-version"
      />
    </div>
  );
}

function AnalyticsCacheSection({ stats }: { stats: RedisStatsResponse }) {
  const section = stats.analyticsCache;
  return (
    <div className="card" data-testid="analytics-cache-section">
      <h2>Analytics cache</h2>
      <p className="muted">
        About {formatCount(section.estimatedEntries)} entries and {formatCount(section.estimatedIndexSets)} index sets (
        {formatPercent(ratioToPercent(section.keyShare))} of all keys), estimated from the sample below.
      </p>
      <DataTable
        label="Live-generation pointers of the datasources"
        card={false}
        rows={section.datasources}
        rowKey={(ds) => String(ds.datasourceId)}
        empty="No datasources registered."
        columns={[
          {
            id: 'datasource',
            header: 'Datasource',
            sortValue: (ds) => ds.datasourceId,
            cell: (ds) => (
              <>
                {ds.datasourceName} <span className="muted">#{ds.datasourceId}</span>
              </>
            ),
          },
          { id: 'pointer', header: 'Live-generation pointer', cell: (ds) => <code>{ds.metaKey}</code> },
          {
            id: 'generation',
            header: 'Generation',
            cell: (ds) => (ds.present ? (ds.liveGeneration ?? '—') : <Badge tone="neutral">cold</Badge>),
          },
          {
            id: 'fields',
            header: 'Pointer fields',
            className: 'redis-fields',
            cell: (ds) =>
              Object.entries(ds.fields)
                .map(([name, value]) => `${name}=${value}`)
                .join(' · ') || '—',
          },
        ]}
      />
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
          <Badge tone="neutral">
            {data.mode === 'cluster' ? `cluster · ${data.nodes.length} masters` : 'standalone'}
          </Badge>
        </h2>
        <ServerFigures stats={data.total} />
        {data.mode === 'cluster' && (
          <DataTable
            label="Cluster masters"
            testId="redis-nodes"
            card={false}
            rows={data.nodes}
            rowKey={(node) => node.node}
            columns={[
              { id: 'node', header: 'Node', cell: (node) => <code>{node.node}</code>, sortValue: (node) => node.node },
              {
                id: 'keys',
                header: 'Keys',
                numeric: true,
                cell: (node) => formatCount(node.totalKeys),
                sortValue: (node) => node.totalKeys,
              },
              {
                id: 'memory',
                header: 'Memory',
                numeric: true,
                cell: (node) => formatBytes(node.usedMemoryBytes),
                sortValue: (node) => node.usedMemoryBytes,
              },
              {
                id: 'hit-rate',
                header: 'Keyspace hit rate',
                numeric: true,
                cell: (node) => formatPercent(ratioToPercent(node.hitRate)),
                sortValue: (node) => node.hitRate,
              },
              {
                id: 'ops',
                header: 'Ops/s',
                numeric: true,
                cell: (node) => formatCount(node.opsPerSecond),
                sortValue: (node) => node.opsPerSecond,
              },
              {
                id: 'clients',
                header: 'Clients',
                numeric: true,
                cell: (node) => formatCount(node.connectedClients),
                sortValue: (node) => node.connectedClients,
              },
            ]}
          />
        )}
      </div>
      <div className="card">
        <h2>Keys by namespace</h2>
        <p className="muted" data-testid="distribution-note">
          From a sample of {formatCount(data.distribution.sampled)} of {formatCount(data.distribution.totalKeys)} keys:
          counts are estimates.
        </p>
        <DataTable
          label="Keys by namespace"
          testId="namespace-table"
          card={false}
          rows={data.distribution.namespaces}
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
              id: 'sample',
              header: 'In sample',
              numeric: true,
              cell: (ns) => formatCount(ns.sampledKeys),
              sortValue: (ns) => ns.sampledKeys,
            },
            {
              id: 'share',
              header: 'Share',
              numeric: true,
              cell: (ns) => formatPercent(ratioToPercent(ns.share)),
              sortValue: (ns) => ns.share,
            },
            {
              id: 'estimated',
              header: 'Estimated keys',
              numeric: true,
              cell: (ns) => `≈ ${formatCount(ns.estimatedKeys)}`,
              sortValue: (ns) => ns.estimatedKeys,
            },
          ]}
        />
      </div>
    </div>
  );
}
