import { LoadError, Loading } from '../../../components/QueryStatus';
import { useCacheHealth } from '../hooks/useCacheHealth';
import { OVERALL_HEALTH_META } from '../health';
import { datasourceLabel } from '../../../lib/format';

export function CacheHealthPanel() {
  const health = useCacheHealth();
  return (
    <section className="card" aria-labelledby="cache-health-title" data-testid="cache-health">
      <div className="section-header">
        <h2 id="cache-health-title">Cache health</h2>
        {health.data && (
          <span className={`badge badge-${OVERALL_HEALTH_META[health.data.overall].tone}`} data-testid="overall-health">
            {OVERALL_HEALTH_META[health.data.overall].label}
          </span>
        )}
      </div>
      {health.isPending && <Loading label="Checking cache health…" />}
      {health.isError && <LoadError error={health.error} />}
      {health.data && (
        <>
          {health.data.issues.length === 0 ? (
            <p className="muted">No issues found.</p>
          ) : (
            <ul className="health-issues">
              {health.data.issues.map((issue) => (
                <li key={`${issue.datasourceId}:${issue.issue}`} className={`health-issue health-issue-${issue.severity}`}>
                  <div>
                    <span className={`badge ${issue.severity === 'error' ? 'badge-error' : 'badge-warn'}`}>
                      {issue.severity === 'error' ? 'Error' : 'Warning'}
                    </span>{' '}
                    <strong>{datasourceLabel(issue.datasourceId, issue.datasourceName)}</strong>: {issue.issue}
                  </div>
                  <div className="muted">Recommendation: {issue.recommendation}</div>
                </li>
              ))}
            </ul>
          )}
          {health.data.recommendations.length > 0 && (
            <>
              <h3 className="subheading">Recommendations</h3>
              <ul data-testid="health-recommendations">
                {health.data.recommendations.map((text) => (
                  <li key={text}>{text}</li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
