import { JOB_STATUSES, type JobStatus, type WarmingJobQuery } from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { pageCount, Pagination } from '../../../components/ui/Pagination';
import { useWarmingJobs } from '../hooks/useWarmingJobs';
import { JOB_STATUS_META } from '../job-status';
import { WarmingJobsTable } from './WarmingJobsTable';

const PAGE_SIZE = 20;

interface Filters {
  datasourceId: string;
  status: '' | JobStatus;
  /** yyyy-mm-dd, local dates */
  from: string;
  to: string;
}

const EMPTY: Filters = { datasourceId: '', status: '', from: '', to: '' };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Filters and page live in the URL, so a filtered history survives a reload and can be shared. */
function readParams(params: URLSearchParams): { filters: Filters; page: number } {
  const status = params.get('status') ?? '';
  const ds = params.get('ds') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const page = Number(params.get('page'));
  return {
    filters: {
      datasourceId: /^[1-9]\d*$/.test(ds) ? ds : '',
      status: (JOB_STATUSES as readonly string[]).includes(status) ? (status as JobStatus) : '',
      from: DATE.test(from) ? from : '',
      to: DATE.test(to) ? to : '',
    },
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

function toParams(filters: Filters, page: number): Record<string, string> {
  const params: Record<string, string> = {};
  if (filters.datasourceId) params.ds = filters.datasourceId;
  if (filters.status) params.status = filters.status;
  if (filters.from) params.from = filters.from;
  if (filters.to) params.to = filters.to;
  if (page > 1) params.page = String(page);
  return params;
}

/** Whole local days: `from` at 00:00, `to` up to 23:59:59.999. */
function toQuery(filters: Filters, page: number): WarmingJobQuery {
  return {
    datasourceId: filters.datasourceId ? Number(filters.datasourceId) : undefined,
    status: filters.status || undefined,
    from: filters.from ? new Date(`${filters.from}T00:00:00`).toISOString() : undefined,
    to: filters.to ? new Date(`${filters.to}T23:59:59.999`).toISOString() : undefined,
    page,
    pageSize: PAGE_SIZE,
  };
}

interface WarmingHistoryProps {
  datasources: Array<{ id: number; name: string }>;
  /** A job is running: keep the history moving with it. */
  live: boolean;
}

export function WarmingHistory({ datasources, live }: WarmingHistoryProps) {
  const [searchParams, setSearchParams] = useSearchParams();
  const { filters, page } = readParams(searchParams);
  const jobs = useWarmingJobs(toQuery(filters, page), live);
  const totalPages = jobs.data ? pageCount(jobs.data.total, jobs.data.pageSize) : 1;
  const go = (next: Filters, nextPage: number) =>
    setSearchParams(toParams(next, nextPage), { preventScrollReset: true });

  return (
    <>
      <HistoryFilters
        // Re-initialise the inputs when the URL changes (back/forward, clear).
        key={searchParams.toString()}
        initial={filters}
        datasources={datasources}
        onApply={(next) => go(next, 1)}
      />
      {jobs.isPending && <Loading label="Loading warming history…" />}
      {jobs.isError && <LoadError error={jobs.error} />}
      {jobs.data && (
        <>
          <WarmingJobsTable
            jobs={jobs.data.items}
            busy={jobs.isPlaceholderData}
            testId="warming-history-table"
            empty="No warming jobs match these filters."
          />
          <Pagination
            label="Warming history pages"
            page={page}
            pageCount={totalPages}
            summary={`${jobs.data.total} ${jobs.data.total === 1 ? 'job' : 'jobs'}`}
            busy={jobs.isPlaceholderData}
            onPageChange={(next) => go(filters, next)}
            testId="history-page-info"
          />
        </>
      )}
    </>
  );
}

interface HistoryFiltersProps {
  initial: Filters;
  datasources: Array<{ id: number; name: string }>;
  onApply: (filters: Filters) => void;
}

function HistoryFilters({ initial, datasources, onApply }: HistoryFiltersProps) {
  const [filters, setFilters] = useState(initial);
  const rangeError =
    filters.from && filters.to && filters.from > filters.to ? 'The start date is after the end date.' : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!rangeError) onApply(filters);
  };
  return (
    <form className="card filters" onSubmit={submit} aria-label="Warming history filters">
      <div className="field">
        <label htmlFor="history-datasource">Datasource</label>
        <select
          id="history-datasource"
          value={filters.datasourceId}
          onChange={(event) => setFilters({ ...filters, datasourceId: event.target.value })}
        >
          <option value="">All</option>
          {datasources.map((ds) => (
            <option key={ds.id} value={String(ds.id)}>
              DS #{ds.id}: {ds.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="history-status">Status</label>
        <select
          id="history-status"
          value={filters.status}
          onChange={(event) => setFilters({ ...filters, status: event.target.value as Filters['status'] })}
        >
          <option value="">Any</option>
          {JOB_STATUSES.map((status) => (
            <option key={status} value={status}>
              {JOB_STATUS_META[status].label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="history-from">From</label>
        <input
          id="history-from"
          type="date"
          value={filters.from}
          aria-invalid={rangeError ? true : undefined}
          aria-describedby={rangeError ? 'history-range-error' : undefined}
          onChange={(event) => setFilters({ ...filters, from: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="history-to">To</label>
        <input
          id="history-to"
          type="date"
          value={filters.to}
          onChange={(event) => setFilters({ ...filters, to: event.target.value })}
        />
      </div>
      <div className="filters-actions">
        <button type="submit" className="button" disabled={!!rangeError}>
          Apply
        </button>
        <button type="button" className="button button-secondary" onClick={() => onApply(EMPTY)}>
          Clear
        </button>
      </div>
      {rangeError && (
        <p className="field-error" id="history-range-error">
          {rangeError}
        </p>
      )}
    </form>
  );
}
