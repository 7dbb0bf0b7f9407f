import type { AlertEvent, CacheAlert } from '@ccc/shared-types';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { Badge } from '../../../components/ui/Badge';
import { datasourceLabel, formatDateTime } from '../../../lib/format';
import { useAlert } from '../hooks/useAlerts';
import {
  ALERT_STATUS_META,
  ALERT_TYPE_LABELS,
  alertUnit,
  formatAlertActual,
  formatAlertValue,
  SEVERITY_META,
} from '../labels';

const EVENT_LABELS: Record<AlertEvent['event'], string> = {
  FIRED: 'Fired',
  ESCALATED: 'Escalated',
  DEESCALATED: 'De-escalated',
  ACKNOWLEDGED: 'Acknowledged',
  RESOLVED: 'Resolved',
  NOTIFIED: 'Notification sent',
  NOTIFICATION_FAILED: 'Notification failed',
  REMEDIATION: 'Remediation',
};

/** Events carry user ids; the alert itself names its acknowledger. */
function actorName(by: string, alert: CacheAlert): string {
  if (by === 'auto') return 'the evaluator (metric recovered)';
  if (by.startsWith('rule:')) return `remediation rule ${by.slice(5, 13)}`;
  if (by === alert.acknowledgedBy && alert.acknowledgedByName) return alert.acknowledgedByName;
  return `user ${by.slice(0, 8)}`;
}

/** One alert with its timeline: fired, escalated, acknowledged (with the comment), resolved… */
export function AlertDetails({ id, onClose }: { id: string; onClose: () => void }) {
  const alert = useAlert(id);
  return (
    <section className="card page-section" aria-labelledby="alert-details-title" data-testid="alert-details">
      <div className="section-header">
        <h2 id="alert-details-title">
          {alert.data
            ? `${ALERT_TYPE_LABELS[alert.data.alertType]}${alert.data.datasourceName ? ` on ${alert.data.datasourceName}` : ''}`
            : 'Alert'}
        </h2>
        <button type="button" className="button button-small button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {alert.isPending && <Loading label="Loading the alert…" />}
      {alert.isError && <LoadError error={alert.error} notFoundMessage="This alert no longer exists." />}
      {alert.data && (
        <>
          <p>{alert.data.alertMessage}</p>
          <dl className="metrics-grid">
            <div className="metric">
              <dt>Severity</dt>
              <dd>
                <Badge tone={SEVERITY_META[alert.data.severity].tone}>{SEVERITY_META[alert.data.severity].label}</Badge>
              </dd>
            </div>
            <div className="metric">
              <dt>Status</dt>
              <dd>
                <Badge tone={ALERT_STATUS_META[alert.data.alertStatus].tone}>
                  {ALERT_STATUS_META[alert.data.alertStatus].label}
                </Badge>
              </dd>
            </div>
            <div className="metric">
              <dt>Datasource</dt>
              <dd>
                {alert.data.datasourceId !== null
                  ? datasourceLabel(alert.data.datasourceId, alert.data.datasourceName)
                  : '—'}
              </dd>
            </div>
            <div className="metric">
              <dt>Actual / threshold</dt>
              <dd>
                {formatAlertActual(alert.data)} / {formatAlertValue(alert.data.thresholdValue, alertUnit(alert.data))}
              </dd>
            </div>
            <div className="metric">
              <dt>Last evaluated</dt>
              <dd>{alert.data.lastEvaluatedAt ? formatDateTime(alert.data.lastEvaluatedAt) : '—'}</dd>
            </div>
            {alert.data.acknowledgementComment && (
              <div className="metric metric-wide">
                <dt>Acknowledgement</dt>
                <dd>
                  “{alert.data.acknowledgementComment}”
                  {alert.data.acknowledgedByName && <span className="muted"> — {alert.data.acknowledgedByName}</span>}
                </dd>
              </div>
            )}
          </dl>
          <h3 className="subheading">Timeline</h3>
          {alert.data.history.length === 0 ? (
            <p className="muted">No events recorded.</p>
          ) : (
            <ol className="timeline" data-testid="alert-timeline">
              {alert.data.history.map((event, index) => (
                <li key={index} className={`timeline-item timeline-${event.event.toLowerCase()}`}>
                  <time dateTime={event.at} className="small muted">
                    {formatDateTime(event.at)}
                  </time>{' '}
                  <strong>{EVENT_LABELS[event.event]}</strong>{' '}
                  <Badge tone={SEVERITY_META[event.severity].tone}>{SEVERITY_META[event.severity].label}</Badge>
                  {event.actualValue !== null && (
                    <span className="small"> at {formatAlertValue(event.actualValue, alertUnit(alert.data))}</span>
                  )}
                  {event.by && <span className="small muted"> by {actorName(event.by, alert.data)}</span>}
                  {event.comment && <div className="timeline-comment">“{event.comment}”</div>}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}
