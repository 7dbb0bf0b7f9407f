import type { ActiveWarmingJob, DatasourceCacheMetrics } from '@ccc/shared-types';
import { Link } from 'react-router-dom';
import {
  datasourceLabel,
  formatCount,
  formatDuration,
  formatHitRate,
  formatMemoryMB,
  formatMillis,
  formatRelative,
} from '../../../lib/format';
import { datasourceVerdict, type OpenAlert } from '../../monitoring/open-alerts';
import { ProgressBar } from '../../warming/components/ProgressBar';
import { VerdictBadge } from './HealthBadge';

interface DatasourceCacheCardProps {
  metrics: DatasourceCacheMetrics;
  /** The datasource's warming job in progress, if any. */
  activeJob?: ActiveWarmingJob;
  /** The datasource's staleness TTL, when known, to explain "stale". */
  ttlSeconds?: number;
  /** Its open alerts: a worse one overrules the computed health on the card. */
  alerts: readonly OpenAlert[];
  canWrite: boolean;
  warmPending: boolean;
  now: number;
  onWarm: (force: boolean) => void;
  onInvalidate: () => void;
}

export function DatasourceCacheCard({
  metrics: m,
  activeJob,
  ttlSeconds,
  alerts,
  canWrite,
  warmPending,
  now,
  onWarm,
  onInvalidate,
}: DatasourceCacheCardProps) {
  const label = datasourceLabel(m.datasourceId, m.datasourceName);
  const titleId = `ds-card-${m.datasourceId}-title`;
  const warming = activeJob !== undefined;
  const showTtl = ttlSeconds !== undefined && (m.health === 'stale' || m.health === 'degraded');
  const verdict = datasourceVerdict(m.health, alerts);

  return (
    <article className="card ds-card" data-testid={`ds-card-${m.datasourceId}`} aria-labelledby={titleId}>
      <div className="ds-card-header">
        <h4 id={titleId} className="ds-card-title">
          {label}
        </h4>
        <VerdictBadge health={m.health} verdict={verdict} testId={`ds-health-${m.datasourceId}`} />
      </div>
      {verdict.reason && (
        <p className="ds-card-line ds-card-reason" data-testid={`ds-health-reason-${m.datasourceId}`}>
          <Link to={`/alerts?ds=${m.datasourceId}`}>{verdict.reason}</Link>
        </p>
      )}

      <p className="ds-card-line" data-testid={`ds-last-warmed-${m.datasourceId}`}>
        {m.lastWarmed ? (
          <>
            Last warmed:{' '}
            <time dateTime={m.lastWarmed} title={new Date(m.lastWarmed).toLocaleString()}>
              {formatRelative(m.lastWarmed, now)}
            </time>
            {showTtl && <span className="muted"> (TTL: {formatDuration(ttlSeconds)})</span>}
          </>
        ) : (
          'Never warmed'
        )}
      </p>
      {m.totalEntries > 0 ? (
        <>
          <p className="ds-card-line" data-testid={`ds-size-${m.datasourceId}`}>
            {formatCount(m.totalEntries)} entries • {formatMemoryMB(m.estimatedMemoryMB)} • {m.uniqueMeasures}{' '}
            {m.uniqueMeasures === 1 ? 'measure' : 'measures'} • {m.uniquePractices}{' '}
            {m.uniquePractices === 1 ? 'practice' : 'practices'}
          </p>
          {m.totalQueries > 0 && (
            <p className="ds-card-line muted">Avg query since the last warm: {formatMillis(m.avgQueryTimeMs)}</p>
          )}
        </>
      ) : (
        <p className="ds-card-line muted" data-testid={`ds-size-${m.datasourceId}`}>
          No cache entries
        </p>
      )}
      <p className="ds-card-line muted">
        Hit rate ({m.hitRate.window}):{' '}
        <span data-testid={`hit-rate-${m.datasourceId}`}>{formatHitRate(m.hitRate)}</span>
      </p>
      {m.warnings.length > 0 && (
        <ul className="ds-card-warnings" aria-label={`Warnings for ${label}`}>
          {m.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      {activeJob && (
        <div className="ds-card-progress">
          <span className="muted">{activeJob.status === 'PAUSED' ? 'Warming paused' : 'Warming…'}</span>
          <ProgressBar
            value={activeJob.progress}
            label={`Warming progress of ${label}`}
            testId={`progress-${activeJob.jobId}`}
          />
        </div>
      )}

      <div className="ds-card-actions">
        {canWrite &&
          (m.isWarm ? (
            <button
              type="button"
              className="button button-small"
              aria-label={`Refresh ${m.datasourceName}`}
              disabled={warmPending || warming}
              onClick={() => onWarm(true)}
            >
              <span aria-hidden="true">↻ </span>Refresh
            </button>
          ) : (
            <button
              type="button"
              className="button button-small"
              aria-label={`Warm now: ${m.datasourceName}`}
              disabled={warmPending || warming}
              onClick={() => onWarm(false)}
            >
              Warm Now
            </button>
          ))}
        {canWrite && m.totalEntries > 0 && (
          <button
            type="button"
            className="button button-small button-secondary button-danger-outline"
            aria-label={`Invalidate ${m.datasourceName}`}
            onClick={onInvalidate}
          >
            Invalidate
          </button>
        )}
        <Link
          to={`/cache/${m.datasourceId}`}
          className="button button-small button-secondary"
          aria-label={`Details of ${m.datasourceName}`}
        >
          Details
        </Link>
        {canWrite && !m.isWarm && (
          <Link
            to={`/datasources/${m.datasourceId}`}
            className="button button-small button-secondary"
            aria-label={`Configure ${m.datasourceName}`}
          >
            Configure
          </Link>
        )}
      </div>
    </article>
  );
}
