import type { RedisKeyInspection, RedisValuePreview } from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { DataTable } from '../../../components/ui/DataTable';
import { formatBytes, formatCount, formatTtl } from '../../../lib/format';
import { errorMessage } from '../../../lib/query-client';
import { useCanWriteSettings } from '../../../lib/session';
import { useRedisInspect, useSetTtl } from '../hooks/useRedis';
import { namespaceLabel } from '../namespaces';

/** Side panel: what one key is, a capped preview of its value, and its TTL for writers to change. */
export function KeyInspector({ keyName, onClose }: { keyName: string; onClose: () => void }) {
  const inspection = useRedisInspect(keyName);
  return (
    <aside className="redis-inspector card" aria-label="Key inspector" data-testid="key-inspector">
      <div className="redis-inspector-header">
        <h2>Inspector</h2>
        <button
          type="button"
          className="button button-small button-secondary"
          onClick={onClose}
          aria-label="Close inspector"
        >
          Close
        </button>
      </div>
      <p className="redis-inspector-key">
        <code>{keyName}</code>
      </p>
      {inspection.isPending && <Loading label="Inspecting…" />}
      {inspection.isError && <LoadError error={inspection.error} notFoundMessage="This key no longer exists." />}
      {inspection.isSuccess && <InspectionDetails data={inspection.data} />}
    </aside>
  );
}

function InspectionDetails({ data }: { data: RedisKeyInspection }) {
  const canWrite = useCanWriteSettings();
  return (
    <>
      <dl className="redis-facts" data-testid="key-facts">
        <dt>Type</dt>
        <dd>{data.type}</dd>
        <dt>TTL</dt>
        <dd data-testid="key-ttl">{formatTtl(data.ttlSeconds)}</dd>
        <dt>Encoding</dt>
        <dd>{data.encoding ?? '—'}</dd>
        <dt>Memory</dt>
        <dd>{formatBytes(data.memoryBytes)}</dd>
        <dt>Length</dt>
        <dd>
          {formatCount(data.length)} {data.lengthUnit}
        </dd>
        <dt>Namespace</dt>
        <dd>
          {namespaceLabel(data.namespace)}
          {data.protected && (
            <Badge tone="warn" className="redis-badge">
              protected
            </Badge>
          )}
        </dd>
      </dl>
      {canWrite && <TtlEditor data={data} />}
      {data.decoded && (
        <div data-testid="decoded-entry">
          <h3 className="redis-subheading">
            Decoded cache entry · {formatCount(data.decoded.rowCount)} rows{data.decoded.truncated ? ' (preview)' : ''}
          </h3>
          <DataTable
            label="Rows of the cache entry"
            card={false}
            className="redis-preview-table"
            rows={data.decoded.rows.map(([period, value], index) => ({ period, value, index }))}
            rowKey={(row) => `${row.period}-${row.index}`}
            empty="The entry has no rows."
            columns={[
              { id: 'period', header: 'Period', cell: (row) => row.period },
              {
                id: 'value',
                header: 'Value',
                numeric: true,
                cell: (row) => (row.value === null ? '—' : String(row.value)),
              },
            ]}
          />
        </div>
      )}
      <h3 className="redis-subheading">Value preview</h3>
      <Preview preview={data.preview} />
      {'truncated' in data.preview && data.preview.truncated && (
        <p className="muted" data-testid="preview-truncated">
          Preview capped at {formatBytes(data.limits.maxBytes)} and {data.limits.maxElements} elements.
        </p>
      )}
    </>
  );
}

function Preview({ preview }: { preview: RedisValuePreview }) {
  switch (preview.kind) {
    case 'string':
      // Focusable: a long value scrolls inside its box, and the keyboard must be able to scroll it too.
      return (
        <pre
          className="redis-preview"
          data-testid="value-preview"
          role="region"
          aria-label="Value preview"
          tabIndex={0}
        >
          {preview.binary ? `(binary, hex) ${preview.text}` : preview.text}
        </pre>
      );
    case 'hash':
      return <PairTable rows={preview.fields.map((f) => [f.field, f.value])} head={['Field', 'Value']} />;
    case 'zset':
      return <PairTable rows={preview.members.map((m) => [m.member, m.score])} head={['Member', 'Score']} />;
    case 'set':
      return <PairTable rows={preview.members.map((m, i) => [String(i + 1), m])} head={['#', 'Member']} />;
    case 'list':
      return <PairTable rows={preview.items.map((item, i) => [String(i), item])} head={['Index', 'Element']} />;
    case 'stream':
      return (
        <PairTable
          rows={preview.entries.map((e) => [
            e.id,
            Object.entries(e.fields)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          ])}
          head={['ID', 'Fields']}
        />
      );
    default:
      return <p className="muted">{preview.message}</p>;
  }
}

function PairTable({ rows, head }: { rows: Array<[string, string]>; head: [string, string] }) {
  return (
    <div data-testid="value-preview">
      <DataTable
        label="Value preview"
        card={false}
        className="redis-preview-table"
        rows={rows.map(([name, value], index) => ({ name, value, index }))}
        rowKey={(row) => `${row.name}-${row.index}`}
        empty="Empty."
        columns={[
          { id: 'name', header: head[0], cell: (row) => <code>{row.name}</code> },
          { id: 'value', header: head[1], className: 'redis-preview-cell', cell: (row) => row.value },
        ]}
      />
    </div>
  );
}

function TtlEditor({ data }: { data: RedisKeyInspection }) {
  const setTtl = useSetTtl();
  const [seconds, setSeconds] = useState(data.ttlSeconds > 0 ? String(data.ttlSeconds) : '');
  const [clientError, setClientError] = useState<string | null>(null);
  const [confirmProtected, setConfirmProtected] = useState(false);
  // A protected key's TTL changes only after the user says so explicitly; the service refuses it otherwise.
  const allowProtected = data.protected && confirmProtected;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const value = Number(seconds);
    if (!/^\d+$/.test(seconds.trim()) || value < 1) {
      setClientError('Enter a whole number of seconds, at least 1.');
      return;
    }
    setClientError(null);
    setTtl.mutate({ key: data.key, ttlSeconds: value, ...(allowProtected ? { allowProtected } : {}) });
  };

  return (
    <form className="redis-ttl-form" onSubmit={onSubmit} aria-label="Change TTL" noValidate>
      <div className="field field-inline">
        <label htmlFor="redis-ttl">New TTL (seconds)</label>
        <input
          id="redis-ttl"
          type="number"
          min={1}
          value={seconds}
          onChange={(e) => setSeconds(e.target.value)}
          aria-invalid={clientError ? true : undefined}
        />
        <button type="submit" className="button button-small" disabled={setTtl.isPending}>
          Set TTL
        </button>
        <button
          type="button"
          className="button button-small button-secondary"
          disabled={setTtl.isPending || data.ttlSeconds === -1}
          onClick={() => setTtl.mutate({ key: data.key, persist: true, ...(allowProtected ? { allowProtected } : {}) })}
        >
          Remove expiry
        </button>
        {clientError && <p className="field-error">{clientError}</p>}
        {setTtl.isError && (
          <p className="field-error" role="alert">
            {errorMessage(setTtl.error)}
          </p>
        )}
        {setTtl.isSuccess && (
          <p className="field-hint" role="status" data-testid="ttl-status">
            TTL is now {formatTtl(setTtl.data.ttlSeconds)}.
          </p>
        )}
      </div>
      {data.protected && (
        <label className="redis-checkbox">
          <input type="checkbox" checked={confirmProtected} onChange={(e) => setConfirmProtected(e.target.checked)} />{' '}
          This key is protected (the service needs it): change its expiry anyway
        </label>
      )}
    </form>
  );
}
