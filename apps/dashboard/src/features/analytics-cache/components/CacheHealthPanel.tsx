import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { datasourceLabel } from '../../../lib/format';
import { OVERALL_HEALTH_META } from '../health';
import { useCacheHealth } from '../hooks/useCacheHealth';

export function CacheHealthPanel() {
  const health = useCacheHealth();
  return (
    <section className="card" aria-labelledby="cache-health-title" data-testid="cache-health">
      <div className="section-header">
        <h2 id="cache-health-title">Cache health</h2>
        {health.data && (
          <Badge tone={OVERALL_HEALTH_META[health.data.overall].tone} testId="overall-health">
            {OVERALL_HEALTH_META[health.data.overall].label}
          </Badge>
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
                    <Badge tone={issue.severity === 'error' ? 'error' : 'warn'}>{issue.severity === 'error' ? 'Error' : 'Warning'}</Badge>{' '}
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
