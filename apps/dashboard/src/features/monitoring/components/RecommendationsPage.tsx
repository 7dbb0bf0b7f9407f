import '../monitoring.css';
import {
  IMPLEMENTATION_STATUSES,
  RECOMMENDATION_TYPES,
  type Recommendation,
  type RecommendationGenerationResult,
  type RecommendationListQuery,
  type RecommendationType,
} from '@ccc/shared-types';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { pageCount, Pagination } from '../../../components/ui/Pagination';
import { datasourceLabel, formatDateTime } from '../../../lib/format';
import { useCanWriteSettings } from '../../../lib/session';
import { useDatasources } from '../../datasources/hooks/useDatasources';
import { useDecideRecommendation, useGenerateRecommendations, useRecommendations } from '../hooks/useRecommendations';
import { formatImprovement, IMPLEMENTATION_STATUS_META, PRIORITY_META, RECOMMENDATION_TYPE_LABELS } from '../labels';
import { ConfigDiff } from './ConfigDiff';
import { DatasourceSelect } from './DatasourceSelect';
import { ImplementDialog, RejectDialog } from './RecommendationDialogs';

const PAGE_SIZE = 20;
const OPEN_PAGE_SIZE = 100;
const STATUS_CHOICES = ['open', 'all', ...IMPLEMENTATION_STATUSES] as const;
type StatusChoice = (typeof STATUS_CHOICES)[number];

function generationSummary(result: RecommendationGenerationResult): string {
  if (!result.ran) return 'Another replica is generating recommendations right now; they will show here shortly.';
  if (result.created === 0 && result.alreadyOpen === 0)
    return 'No new recommendations: nothing in the recent usage calls for a change.';
  return `${result.created} new recommendation${result.created === 1 ? '' : 's'}${result.alreadyOpen ? `; ${result.alreadyOpen} already open` : ''}.`;
}

export function RecommendationsPage() {
  const canWrite = useCanWriteSettings();
  const [params, setParams] = useSearchParams();
  // "Open" (pending and approved) by default: those are the ones that still need a decision.
  const statusParam = params.get('status') ?? 'open';
  const status: StatusChoice = (STATUS_CHOICES as readonly string[]).includes(statusParam)
    ? (statusParam as StatusChoice)
    : 'open';
  const typeParam = params.get('type') ?? '';
  const type = (RECOMMENDATION_TYPES as readonly string[]).includes(typeParam) ? (typeParam as RecommendationType) : '';
  const ds = /^[1-9]\d*$/.test(params.get('ds') ?? '') ? params.get('ds')! : '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const common: RecommendationListQuery = {
    recommendationType: type || undefined,
    datasourceId: ds ? Number(ds) : undefined,
  };
  const isOpen = status === 'open';
  const pending = useRecommendations({ ...common, status: 'PENDING', pageSize: OPEN_PAGE_SIZE }, isOpen);
  const approved = useRecommendations({ ...common, status: 'APPROVED', pageSize: OPEN_PAGE_SIZE }, isOpen);
  const single = useRecommendations(
    { ...common, status: status === 'open' || status === 'all' ? undefined : status, page, pageSize: PAGE_SIZE },
    !isOpen,
  );
  const list = isOpen
    ? {
        isPending: pending.isPending || approved.isPending,
        error: pending.error ?? approved.error,
        items: pending.data && approved.data ? [...approved.data.items, ...pending.data.items] : undefined,
        total: (pending.data?.total ?? 0) + (approved.data?.total ?? 0),
        busy: pending.isPlaceholderData || approved.isPlaceholderData,
      }
    : {
        isPending: single.isPending,
        error: single.error,
        items: single.data?.items,
        total: single.data?.total ?? 0,
        busy: single.isPlaceholderData,
      };
  const datasources = useDatasources();
  const generate = useGenerateRecommendations();
  const [implementing, setImplementing] = useState<Recommendation | null>(null);
  const [rejecting, setRejecting] = useState<Recommendation | null>(null);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { preventScrollReset: true });
  };
  const pages = pageCount(list.total, PAGE_SIZE);
  // The open view is one page per status: say so when there are more than fit.
  const shown = list.items?.length ?? 0;
  const openCut = isOpen && list.items !== undefined && list.total > shown;

  return (
    <section aria-labelledby="page-title" className="monitoring-page">
      <div className="page-header">
        <h1 id="page-title">Recommendations</h1>
        {canWrite && (
          <button type="button" className="button" disabled={generate.isPending} onClick={() => generate.mutate()}>
            {generate.isPending ? 'Generating…' : 'Generate recommendations'}
          </button>
        )}
      </div>
      {generate.data && (
        <div className="callout callout-info" role="status" data-testid="generation-result">
          <p>{generationSummary(generate.data)}</p>
        </div>
      )}

      <form className="card filters" aria-label="Recommendation filters" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="rec-status">Status</label>
          <select
            id="rec-status"
            value={status}
            onChange={(event) => update({ status: event.target.value === 'open' ? null : event.target.value })}
          >
            <option value="open">Open (pending or approved)</option>
            {IMPLEMENTATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {IMPLEMENTATION_STATUS_META[s].label}
              </option>
            ))}
            <option value="all">Any</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="rec-type">Type</label>
          <select id="rec-type" value={type} onChange={(event) => update({ type: event.target.value })}>
            <option value="">Any</option>
            {RECOMMENDATION_TYPES.map((t) => (
              <option key={t} value={t}>
                {RECOMMENDATION_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <DatasourceSelect
          id="rec-datasource"
          label="Datasource"
          datasources={datasources.data}
          value={ds}
          onChange={(value) => update({ ds: value })}
        />
      </form>

      {list.isPending && <Loading label="Loading recommendations…" />}
      {list.error && <LoadError error={list.error} />}
      {list.items &&
        (list.items.length === 0 ? (
          <div className="card card-muted" data-testid="no-recommendations">
            <p>
              No{' '}
              {status === 'all'
                ? ''
                : status === 'open'
                  ? 'open '
                  : `${IMPLEMENTATION_STATUS_META[status].label.toLowerCase()} `}
              recommendations
              {type || ds ? ' match these filters' : ''}. They are generated daily from usage patterns, query
              performance and index usage{canWrite ? '; “Generate recommendations” looks now' : ''}.
            </p>
          </div>
        ) : (
          <>
            <ul className="rec-list" aria-busy={list.busy ? true : undefined} data-testid="recommendations-list">
              {list.items.map((rec) => (
                <RecommendationCard
                  key={rec.id}
                  recommendation={rec}
                  canWrite={canWrite}
                  onImplement={() => setImplementing(rec)}
                  onReject={() => setRejecting(rec)}
                />
              ))}
            </ul>
            {openCut && (
              <p className="small muted" data-testid="recommendations-truncated">
                Showing {shown} of {list.total} open recommendations; narrow the filters by type or datasource to see
                the others.
              </p>
            )}
            {!isOpen && (
              <Pagination
                label="Recommendation pages"
                page={page}
                pageCount={pages}
                summary={`${list.total} recommendation${list.total === 1 ? '' : 's'}`}
                busy={list.busy}
                onPageChange={(next) => update({ page: String(next) })}
              />
            )}
          </>
        ))}

      {implementing && <ImplementDialog recommendation={implementing} onClose={() => setImplementing(null)} />}
      {rejecting && <RejectDialog recommendation={rejecting} onClose={() => setRejecting(null)} />}
    </section>
  );
}

interface RecommendationCardProps {
  recommendation: Recommendation;
  canWrite: boolean;
  onImplement: () => void;
  onReject: () => void;
}

function RecommendationCard({ recommendation: rec, canWrite, onImplement, onReject }: RecommendationCardProps) {
  const approve = useDecideRecommendation();
  const label = `${RECOMMENDATION_TYPE_LABELS[rec.recommendationType]} for ${datasourceLabel(rec.datasourceId, rec.datasourceName)}`;
  const open = rec.implementationStatus === 'PENDING' || rec.implementationStatus === 'APPROVED';
  return (
    <li
      className="card rec-card"
      data-testid={`recommendation-${rec.id}`}
      data-status={rec.implementationStatus}
      aria-label={label}
    >
      <div className="rec-header">
        <Badge tone={PRIORITY_META[rec.priority].tone}>{PRIORITY_META[rec.priority].label}</Badge>
        <h2 className="rec-title">{label}</h2>
        <Badge
          tone={IMPLEMENTATION_STATUS_META[rec.implementationStatus].tone}
          testId={`recommendation-status-${rec.id}`}
        >
          {IMPLEMENTATION_STATUS_META[rec.implementationStatus].label}
        </Badge>
      </div>
      <p>{rec.recommendationDescription}</p>
      <p className="small">
        Expected improvement: <strong>{formatImprovement(rec.estimatedImprovement, rec.improvementMetric)}</strong>
        <span className="muted"> · suggested {formatDateTime(rec.createdAt)}</span>
        {rec.approvedAt && <span className="muted"> · approved {formatDateTime(rec.approvedAt)}</span>}
        {rec.implementedAt && <span className="muted"> · implemented {formatDateTime(rec.implementedAt)}</span>}
      </p>
      <ConfigDiff label={label} current={rec.currentConfiguration} recommended={rec.recommendedConfiguration} />
      {rec.implementationNotes && <p className="small">Notes: “{rec.implementationNotes}”</p>}
      {approve.isError && (
        <div className="callout callout-error" role="alert">
          <p>{approve.error.message}</p>
        </div>
      )}
      {canWrite && open && (
        <div className="ds-card-actions">
          {rec.implementationStatus === 'PENDING' && (
            <button
              type="button"
              className="button button-small"
              aria-label={`Approve ${label}`}
              disabled={approve.isPending}
              onClick={() => approve.mutate({ id: rec.id, decision: 'approve' })}
            >
              Approve
            </button>
          )}
          {rec.implementationStatus === 'APPROVED' && (
            <button
              type="button"
              className="button button-small"
              aria-label={`Implement ${label}`}
              onClick={onImplement}
            >
              Implement…
            </button>
          )}
          <button
            type="button"
            className="button button-small button-secondary button-danger-outline"
            aria-label={`Reject ${label}`}
            onClick={onReject}
          >
            Reject…
          </button>
        </div>
      )}
    </li>
  );
}
