import type { AuditEntry, AuditOutcome, AuditQuery } from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { pageCount, Pagination } from '../../../components/ui/Pagination';
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
  const totalPages = audit.data ? pageCount(audit.data.total, audit.data.pageSize) : 1;

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
          <DataTable
            label="Audit entries"
            testId="audit-table"
            columns={COLUMNS}
            rows={audit.data.items}
            rowKey={(entry) => entry.id}
            busy={audit.isPlaceholderData}
            empty="No audit entries match these filters."
          />
          <Pagination
            label="Audit pages"
            page={page}
            pageCount={totalPages}
            summary={`${audit.data.total} ${audit.data.total === 1 ? 'entry' : 'entries'}`}
            busy={audit.isPlaceholderData}
            onPageChange={(next) => setSearchParams(toParams(filters, next))}
            testId="audit-page-info"
          />
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

const actorOf = (entry: AuditEntry) =>
  entry.actorName ?? (entry.actorKind === 'anonymous' ? 'Anonymous' : (entry.actorId ?? '—'));

/** "datasource #3", or the service's own words when the target has no id ("all datasources (5)"). */
function auditTarget(entry: Pick<AuditEntry, 'targetType' | 'targetId'>): string {
  if (entry.targetId && /\s/.test(entry.targetId)) return entry.targetId;
  return entry.targetType ? [entry.targetType, entry.targetId].filter(Boolean).join(' #') : '—';
}

/** One page of the log, newest first as the service sorts it (a page is not re-sorted here: it would mislead). */
const COLUMNS: Array<Column<AuditEntry>> = [
  {
    id: 'time',
    header: 'Time',
    cell: (entry) => <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time>,
  },
  { id: 'actor', header: 'Actor', cell: (entry) => <span title={entry.actorId ?? undefined}>{actorOf(entry)}</span> },
  { id: 'action', header: 'Action', cell: (entry) => <code>{entry.action}</code> },
  { id: 'target', header: 'Target', cell: auditTarget },
  {
    id: 'outcome',
    header: 'Outcome',
    cell: (entry) => <Badge tone={entry.outcome === 'success' ? 'ok' : 'error'}>{entry.outcome}</Badge>,
  },
  { id: 'status', header: 'Status', numeric: true, cell: (entry) => entry.statusCode ?? '—' },
];
