import { REDIS_KEY_TYPES, type RedisKeyType } from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { DataTable } from '../../../components/ui/DataTable';
import { formatCount, formatTtl } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useRedisKeys } from '../hooks/useRedis';
import { namespaceLabel } from '../namespaces';
import { KeyInspector } from './KeyInspector';
import { PurgeDialog } from './PurgeDialog';

const PAGE_SIZE = 100;

export function KeyBrowser() {
  const canWrite = useCanWriteSettings();
  const [patternInput, setPatternInput] = useState('*');
  const [typeInput, setTypeInput] = useState<'' | RedisKeyType>('');
  const [filter, setFilter] = useState<{ pattern: string; type?: RedisKeyType }>({ pattern: '*' });
  const [selected, setSelected] = useState<string | null>(null);
  const [purging, setPurging] = useState(false);
  const keys = useRedisKeys({ ...filter, count: PAGE_SIZE });
  // SCAN may list a key again on a later page when Redis resizes its table mid-scan: one row per key.
  const rows = [...new Map((keys.data?.pages.flatMap((page) => page.keys) ?? []).map((k) => [k.key, k])).values()];
  const examined = keys.data?.pages.reduce((sum, page) => sum + page.examined, 0) ?? 0;

  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    setSelected(null);
    setFilter({ pattern: patternInput.trim() || '*', type: typeInput || undefined });
  };

  return (
    <div className="redis-browser">
      <div className="redis-browser-main">
        <form className="filters card" onSubmit={onSearch} aria-label="Key filters">
          <div className="field">
            <label htmlFor="redis-pattern">Pattern</label>
            <input
              id="redis-pattern"
              type="text"
              value={patternInput}
              onChange={(e) => setPatternInput(e.target.value)}
              placeholder="cache:{ds:1}:*"
            />
          </div>
          <div className="field">
            <label htmlFor="redis-type">Type</label>
            <select
              id="redis-type"
              value={typeInput}
              onChange={(e) => setTypeInput(e.target.value as '' | RedisKeyType)}
            >
              <option value="">Any</option>
              {REDIS_KEY_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </div>
          <div className="filters-actions">
            <button type="submit" className="button">
              Search
            </button>
            {canWrite && (
              <button type="button" className="button button-secondary" onClick={() => setPurging(true)}>
                Purge keys…
              </button>
            )}
          </div>
        </form>

        {keys.isPending && <Loading label="Scanning keys…" />}
        {keys.isError && <LoadError error={keys.error} />}
        {keys.isSuccess && (
          <>
            <p className="muted" data-testid="keys-summary">
              {formatCount(rows.length)} keys shown · about {formatCount(examined)} examined
              {keys.hasNextPage ? ' · more to scan' : ' · scan complete'}
            </p>
            <DataTable
              label="Redis keys"
              testId="keys-table"
              className="redis-keys-table"
              busy={keys.isFetchingNextPage}
              rows={rows}
              rowKey={(row) => row.key}
              rowProps={(row) =>
                row.key === selected ? { className: 'redis-row-selected', 'aria-current': 'true' } : {}
              }
              empty={keys.hasNextPage ? 'No matching keys in the part scanned so far.' : 'No matching keys.'}
              emptyTestId="no-keys"
              columns={[
                {
                  id: 'key',
                  header: 'Key',
                  className: 'redis-key-cell',
                  sortValue: (row) => row.key,
                  cell: (row) => (
                    <button
                      type="button"
                      className="redis-key-link"
                      onClick={() => setSelected(row.key)}
                      title={row.key}
                    >
                      {row.key}
                    </button>
                  ),
                },
                { id: 'type', header: 'Type', cell: (row) => row.type, sortValue: (row) => row.type },
                {
                  id: 'ttl',
                  header: 'TTL',
                  cell: (row) => formatTtl(row.ttlSeconds),
                  sortValue: (row) => (row.ttlSeconds < 0 ? null : row.ttlSeconds),
                },
                {
                  id: 'namespace',
                  header: 'Namespace',
                  sortValue: (row) => namespaceLabel(row.namespace),
                  cell: (row) => (
                    <>
                      {namespaceLabel(row.namespace)}
                      {row.protected && (
                        <Badge tone="warn" className="redis-badge">
                          protected
                        </Badge>
                      )}
                    </>
                  ),
                },
              ]}
            />
            {keys.hasNextPage && (
              <button
                type="button"
                className="button button-secondary"
                onClick={() => keys.fetchNextPage()}
                disabled={keys.isFetchingNextPage}
              >
                {keys.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            )}
          </>
        )}
      </div>
      {selected && <KeyInspector keyName={selected} onClose={() => setSelected(null)} />}
      {purging && (
        <PurgeDialog
          initialPattern={filter.pattern === '*' ? '' : filter.pattern}
          initialType={filter.type}
          onClose={() => setPurging(false)}
        />
      )}
    </div>
  );
}
