import '../monitoring.css';
import {
  ALERT_SEVERITIES,
  CACHE_ALERT_TYPES,
  type AlertEvaluationResult,
  type AlertListQuery,
  type AlertSeverity,
  type CacheAlert,
  type CacheAlertType,
} from '@ccc/shared-types';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { pageCount, Pagination } from '../../../components/ui/Pagination';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import { useAlerts, useEvaluateAlerts } from '../hooks/useAlerts';
import { ALERT_TYPE_LABELS, SEVERITY_META } from '../labels';
import { AlertDetails } from './AlertDetails';
import { AcknowledgeDialog, ResolveDialog } from './AlertDialogs';
import { AlertTable } from './AlertTable';
import { DatasourceSelect } from './DatasourceSelect';

const CURRENT_PAGE_SIZE = 100;
const HISTORY_PAGE_SIZE = 20;

interface Filters {
  severity: '' | AlertSeverity;
  alertType: '' | CacheAlertType;
  datasourceId: string;
}

function readFilters(params: URLSearchParams): Filters {
  const severity = params.get('severity') ?? '';
  const type = params.get('type') ?? '';
  const ds = params.get('ds') ?? '';
  return {
    severity: (ALERT_SEVERITIES as readonly string[]).includes(severity) ? (severity as AlertSeverity) : '',
    alertType: (CACHE_ALERT_TYPES as readonly string[]).includes(type) ? (type as CacheAlertType) : '',
    datasourceId: /^[1-9]\d*$/.test(ds) ? ds : '',
  };
}

function toQuery(filters: Filters): AlertListQuery {
  return {
    severity: filters.severity || undefined,
    alertType: filters.alertType || undefined,
    datasourceId: filters.datasourceId ? Number(filters.datasourceId) : undefined,
  };
}

function evaluationSummary(result: AlertEvaluationResult): string {
  if (!result.ran) return 'Another replica is evaluating the thresholds right now; its results will show here shortly.';
  const changes = [
    `${result.fired} fired`,
    `${result.escalated} escalated`,
    `${result.deescalated} de-escalated`,
    `${result.resolved} resolved`,
  ].join(', ');
  return `Evaluated ${result.thresholdsEvaluated} threshold${result.thresholdsEvaluated === 1 ? '' : 's'}: ${changes}.`;
}

/** Current alerts (active first, then acknowledged), one alert's timeline, and the resolved history. */
export function AlertsPage() {
  const canWrite = useCanWriteSettings();
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = readFilters(searchParams);
  const historyPage = Math.max(1, Number(searchParams.get('page')) || 1);
  const selectedId = searchParams.get('alert');
  const base = toQuery(filters);

  const active = useAlerts({ ...base, status: 'ACTIVE', pageSize: CURRENT_PAGE_SIZE });
  const acknowledged = useAlerts({ ...base, status: 'ACKNOWLEDGED', pageSize: CURRENT_PAGE_SIZE });
  const resolved = useAlerts({ ...base, status: 'RESOLVED', page: historyPage, pageSize: HISTORY_PAGE_SIZE });
  const datasources = useDatasources();
  const evaluate = useEvaluateAlerts();
  const [acknowledging, setAcknowledging] = useState<CacheAlert | null>(null);
  const [resolving, setResolving] = useState<CacheAlert | null>(null);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearchParams(next, { preventScrollReset: true });
  };
  const setFilter = (key: 'severity' | 'type' | 'ds', value: string) => update({ [key]: value, page: null });

  const current = [...(active.data?.items ?? []), ...(acknowledged.data?.items ?? [])];
  const currentLoading = active.isPending || acknowledged.isPending;
  const currentError = active.error ?? acknowledged.error;
  const filtered = Boolean(filters.severity || filters.alertType || filters.datasourceId);
  const historyPages = resolved.data ? pageCount(resolved.data.total, resolved.data.pageSize) : 1;
  // Current alerts are one page per status: say so when there are more than fit.
  const cut = [
    { label: 'active', data: active.data },
    { label: 'acknowledged', data: acknowledged.data },
  ].flatMap(({ label, data }) =>
    data && data.total > data.items.length ? [`${data.items.length} of ${data.total} ${label}`] : [],
  );

  return (
    <section aria-labelledby="page-title" className="monitoring-page">
      <div className="page-header">
        <h1 id="page-title">Alerts</h1>
        {canWrite && (
          <button type="button" className="button" disabled={evaluate.isPending} onClick={() => evaluate.mutate()}>
            {evaluate.isPending ? 'Evaluating…' : 'Evaluate now'}
          </button>
        )}
      </div>
      {evaluate.data && (
        <div className="callout callout-info" role="status" data-testid="evaluation-result">
          <p>{evaluationSummary(evaluate.data)}</p>
        </div>
      )}

      <form className="card filters" aria-label="Alert filters" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="alert-severity">Severity</label>
          <select
            id="alert-severity"
            value={filters.severity}
            onChange={(event) => setFilter('severity', event.target.value)}
          >
            <option value="">Any</option>
            {ALERT_SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {SEVERITY_META[severity].label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alert-type">Type</label>
          <select id="alert-type" value={filters.alertType} onChange={(event) => setFilter('type', event.target.value)}>
            <option value="">Any</option>
            {CACHE_ALERT_TYPES.map((type) => (
              <option key={type} value={type}>
                {ALERT_TYPE_LABELS[type]}
              </option>
            ))}
          </select>
        </div>
        <DatasourceSelect
          id="alert-datasource"
          label="Datasource"
          datasources={datasources.data}
          value={filters.datasourceId}
          onChange={(value) => setFilter('ds', value)}
        />
        {filtered && (
          <div className="filters-actions">
            <button
              type="button"
              className="button button-secondary"
              onClick={() => update({ severity: null, type: null, ds: null, page: null })}
            >
              Clear filters
            </button>
          </div>
        )}
      </form>

      <section aria-labelledby="current-title" className="page-section">
        <h2 id="current-title">
          Current alerts{' '}
          {active.data && acknowledged.data && (
            <span className="muted small" data-testid="current-counts">
              {active.data.total} active · {acknowledged.data.total} acknowledged
            </span>
          )}
        </h2>
        {currentLoading && <Loading label="Loading alerts…" />}
        {currentError && <LoadError error={currentError} />}
        {!currentLoading &&
          !currentError &&
          (current.length === 0 ? (
            <div className="card card-muted" data-testid="no-current-alerts">
              <p>
                {filtered
                  ? 'No open alerts match these filters.'
                  : 'No open alerts: every threshold is within its limits.'}{' '}
                Alerts fire when a metric passes a <Link to="/thresholds">threshold</Link>; thresholds are evaluated
                every minute{canWrite ? ', or now with “Evaluate now”' : ''}.
              </p>
            </div>
          ) : (
            <AlertTable
              label="Current alerts"
              alerts={current}
              testId="current-alerts-table"
              canWrite={canWrite}
              selectedId={selectedId}
              onSelect={(alert) => update({ alert: alert.id })}
              onAcknowledge={setAcknowledging}
              onResolve={setResolving}
            />
          ))}
        {cut.length > 0 && (
          <p className="small muted" data-testid="current-truncated">
            Showing {cut.join(' and ')} alerts (most severe, then newest, first); narrow the filters to see the others.
          </p>
        )}
      </section>

      {selectedId && <AlertDetails key={selectedId} id={selectedId} onClose={() => update({ alert: null })} />}

      <section aria-labelledby="history-title" className="page-section">
        <h2 id="history-title">History</h2>
        {resolved.isPending && <Loading label="Loading resolved alerts…" />}
        {resolved.isError && <LoadError error={resolved.error} />}
        {resolved.data &&
          (resolved.data.items.length === 0 ? (
            <p className="card card-muted" data-testid="no-resolved-alerts">
              No resolved alerts{filtered ? ' match these filters' : ' yet'}.
            </p>
          ) : (
            <>
              <AlertTable
                label="Resolved alerts"
                alerts={resolved.data.items}
                testId="resolved-alerts-table"
                canWrite={canWrite}
                selectedId={selectedId}
                busy={resolved.isPlaceholderData}
                onSelect={(alert) => update({ alert: alert.id })}
              />
              <Pagination
                label="Alert history pages"
                page={historyPage}
                pageCount={historyPages}
                summary={`${resolved.data.total} resolved`}
                busy={resolved.isPlaceholderData}
                onPageChange={(next) => update({ page: String(next) })}
              />
            </>
          ))}
      </section>

      {acknowledging && <AcknowledgeDialog alert={acknowledging} onClose={() => setAcknowledging(null)} />}
      {resolving && <ResolveDialog alert={resolving} onClose={() => setResolving(null)} />}
    </section>
  );
}
