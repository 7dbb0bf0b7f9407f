import { Link } from 'react-router-dom';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { datasourceLabel } from '../../../lib/format';
import { bySeverity, overallVerdict, type OpenAlert } from '../../monitoring/open-alerts';
import { useCacheHealth } from '../hooks/useCacheHealth';

const SEVERITY_TONE = { CRITICAL: 'error', WARNING: 'warn', INFO: 'info' } as const;
const SEVERITY_LABEL = { CRITICAL: 'Critical', WARNING: 'Warning', INFO: 'Info' } as const;

/** The cache health the service computes, overruled by worse open alerts (the verdict names them). */
export function CacheHealthPanel({ openAlerts }: { openAlerts: readonly OpenAlert[] }) {
  const health = useCacheHealth();
  const verdict = health.data ? overallVerdict(health.data.overall, openAlerts) : null;
  const nothingWrong = health.data !== undefined && health.data.issues.length === 0 && openAlerts.length === 0;
  return (
    <section className="card" aria-labelledby="cache-health-title" data-testid="cache-health">
      <div className="section-header">
        <h2 id="cache-health-title">Cache health</h2>
        {verdict && (
          <Badge tone={verdict.tone} testId="overall-health">
            {verdict.label}
          </Badge>
        )}
      </div>
      {verdict?.reason && (
        <p className="health-reason" data-testid="overall-health-reason">
          {verdict.label} — {verdict.reason}
        </p>
      )}
      {health.isPending && <Loading label="Checking cache health…" />}
      {health.isError && <LoadError error={health.error} />}
      {health.data && (
        <>
          {openAlerts.length > 0 && (
            <ul className="health-issues" aria-label="Open alerts" data-testid="health-open-alerts">
              {bySeverity(openAlerts).map((alert) => (
                <li
                  key={alert.id}
                  className={`health-issue health-issue-${alert.severity === 'CRITICAL' ? 'error' : 'warning'}`}
                >
                  <Badge tone={SEVERITY_TONE[alert.severity]}>{SEVERITY_LABEL[alert.severity]} alert</Badge>{' '}
                  {alert.datasourceId !== null && (
                    <strong>{datasourceLabel(alert.datasourceId, alert.datasourceName)}: </strong>
                  )}
                  <Link to={`/alerts?alert=${encodeURIComponent(alert.id)}`}>{alert.alertMessage}</Link>
                </li>
              ))}
            </ul>
          )}
          {nothingWrong && <p className="muted">No issues found.</p>}
          {health.data.issues.length > 0 && (
            <ul className="health-issues" aria-label="Issues">
              {health.data.issues.map((issue) => (
                <li
                  key={`${issue.datasourceId}:${issue.issue}`}
                  className={`health-issue health-issue-${issue.severity}`}
                >
                  <div>
                    <Badge tone={issue.severity === 'error' ? 'error' : 'warn'}>
                      {issue.severity === 'error' ? 'Error' : 'Warning'}
                    </Badge>{' '}
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
