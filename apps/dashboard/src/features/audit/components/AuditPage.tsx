import type { AuditEntry, AuditOutcome, AuditQuery } from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { formatDateTime } from '../../../lib/format';
import { useAuditLog } from '../hooks/useAuditLog';

const PAGE_SIZE = 25;
const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure'];

interface Filters {
  action: string;
  outcome: '' | AuditOutcome;
  actorId: string;
}

/** Filters and page live in the URL, so a filtered view survives a reload and can be shared. */
function readParams(params: URLSearchParams): { filters: Filters; page: number } {
  const outcome = params.get('outcome') ?? '';
  const page = Number(params.get('page'));
  return {
    filters: {
      action: params.get('action') ?? '',
      outcome: (OUTCOMES as readonly string[]).includes(outcome) ? (outcome as AuditOutcome) : '',
      actorId: params.get('actorId') ?? '',
    },
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

function toParams(filters: Filters, page: number): Record<string, string> {
  const params: Record<string, string> = {};
  if (filters.action.trim()) params.action = filters.action.trim();
  if (filters.outcome) params.outcome = filters.outcome;
  if (filters.actorId.trim()) params.actorId = filters.actorId.trim();
  if (page > 1) params.page = String(page);
  return params;
}

export function AuditPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const { filters, page } = readParams(searchParams);
  const query: AuditQuery = {
    action: filters.action || undefined,
    outcome: filters.outcome || undefined,
    actorId: filters.actorId || undefined,
    page,
    pageSize: PAGE_SIZE,
  };
  const audit = useAuditLog(query);
  const totalPages = audit.data ? Math.max(1, Math.ceil(audit.data.total / audit.data.pageSize)) : 1;

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Audit log</h1>
      <AuditFilters
        // Re-initialise the inputs when the URL changes (back/forward, clear).
        key={searchParams.toString()}
        initial={filters}
        onApply={(next) => setSearchParams(toParams(next, 1))}
      />
      {audit.isPending && <Loading label="Loading audit entries…" />}
      {audit.isError && <LoadError error={audit.error} />}
      {audit.data && (
        <>
          {audit.data.items.length === 0 ? (
            <p className="card card-muted">No audit entries match these filters.</p>
          ) : (
            <div className="table-wrap card">
              <table className="table" data-testid="audit-table" aria-busy={audit.isPlaceholderData}>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {audit.data.items.map((entry) => (
                    <AuditRow key={entry.id} entry={entry} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="pagination" aria-label="Audit pages">
            <button
              type="button"
              className="button button-secondary"
              disabled={page <= 1}
              onClick={() => setSearchParams(toParams(filters, page - 1))}
            >
              Previous
            </button>
            <span data-testid="audit-page-info">
              Page {page} of {totalPages} · {audit.data.total} {audit.data.total === 1 ? 'entry' : 'entries'}
            </span>
            <button
              type="button"
              className="button button-secondary"
              disabled={page >= totalPages || audit.isPlaceholderData}
              onClick={() => setSearchParams(toParams(filters, page + 1))}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function AuditFilters({ initial, onApply }: { initial: Filters; onApply: (filters: Filters) => void }) {
  const [filters, setFilters] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(filters);
  };
  const clear = () => onApply({ action: '', outcome: '', actorId: '' });
  return (
    <form className="card filters" onSubmit={submit} aria-label="Audit filters">
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <input
          id="audit-action"
          type="text"
          placeholder="e.g. cache.warm"
          value={filters.action}
          onChange={(event) => setFilters({ ...filters, action: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="audit-outcome">Outcome</label>
        <select
          id="audit-outcome"
          value={filters.outcome}
          onChange={(event) => setFilters({ ...filters, outcome: event.target.value as Filters['outcome'] })}
        >
          <option value="">Any</option>
          <option value="success">Success</option>
          <option value="failure">Failure</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-actor">Actor id</label>
        <input
          id="audit-actor"
          type="text"
          placeholder="user or API key UUID"
          value={filters.actorId}
          onChange={(event) => setFilters({ ...filters, actorId: event.target.value })}
        />
      </div>
      <div className="filters-actions">
        <button type="submit" className="button">
          Apply
        </button>
        <button type="button" className="button button-secondary" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const actor = entry.actorName ?? (entry.actorKind === 'anonymous' ? 'Anonymous' : (entry.actorId ?? '—'));
  const target = entry.targetType ? [entry.targetType, entry.targetId].filter(Boolean).join(' #') : '—';
  return (
    <tr>
      <td>
        <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time>
      </td>
      <td title={entry.actorId ?? undefined}>{actor}</td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td>{target}</td>
      <td>
        <span className={`badge ${entry.outcome === 'success' ? 'badge-ok' : 'badge-error'}`}>{entry.outcome}</span>
      </td>
      <td className="numeric">{entry.statusCode ?? '—'}</td>
    </tr>
  );
}
