import type { CacheAlert, ThresholdDirection } from '@ccc/shared-types';
import { datasourceLabel, formatDateTime } from '../../../lib/format';
import { Badge } from '../../../components/ui/Badge';
import { TableCard } from './TableCard';
import { ALERT_STATUS_META, ALERT_TYPE_LABELS, alertUnit, formatAlertValue, SEVERITY_META } from '../labels';

interface AlertTableProps {
  alerts: CacheAlert[];
  testId: string;
  canWrite: boolean;
  selectedId: string | null;
  busy?: boolean;
  onSelect: (alert: CacheAlert) => void;
  onAcknowledge?: (alert: CacheAlert) => void;
  onResolve?: (alert: CacheAlert) => void;
}

/** "< 95%" / "> 500 ms": the level in the metric's unit, with the direction when the evaluator recorded it. */
function thresholdText(alert: CacheAlert): string {
  const direction = alert.alertContext?.direction as ThresholdDirection | undefined;
  const value = formatAlertValue(alert.thresholdValue, alertUnit(alert), true);
  if (direction === 'BELOW') return `< ${value}`;
  if (direction === 'ABOVE') return `> ${value}`;
  return value;
}

export function AlertTable({ alerts, testId, canWrite, selectedId, busy, onSelect, onAcknowledge, onResolve }: AlertTableProps) {
  const showActions = canWrite && (onAcknowledge || onResolve);
  return (
    <TableCard
      testId={testId}
      busy={busy}
      columns={
        <>
          <th scope="col">Severity</th>
          <th scope="col">Alert</th>
          <th scope="col">Datasource</th>
          <th scope="col" className="numeric">Actual</th>
          <th scope="col" className="numeric">Threshold</th>
          <th scope="col">Triggered</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </>
      }
    >
      {alerts.map((alert) => {
        const name = `${ALERT_TYPE_LABELS[alert.alertType]}${alert.datasourceName ? ` on ${alert.datasourceName}` : ''}`;
        return (
          <tr key={alert.id} data-testid={`alert-row-${alert.id}`} data-status={alert.alertStatus} aria-current={selectedId === alert.id ? 'true' : undefined}>
            <td>
              <Badge tone={SEVERITY_META[alert.severity].tone}>{SEVERITY_META[alert.severity].label}</Badge>
            </td>
            <td>
              <strong>{ALERT_TYPE_LABELS[alert.alertType]}</strong>
              <div className="small muted alert-message">{alert.alertMessage}</div>
            </td>
            <td>{alert.datasourceId !== null ? datasourceLabel(alert.datasourceId, alert.datasourceName) : <span className="muted">—</span>}</td>
            <td className="numeric">{formatAlertValue(alert.actualValue, alertUnit(alert), true)}</td>
            <td className="numeric">{thresholdText(alert)}</td>
            <td className="small">
              <time dateTime={alert.triggeredAt}>{formatDateTime(alert.triggeredAt)}</time>
            </td>
            <td>
              <Badge tone={ALERT_STATUS_META[alert.alertStatus].tone}>{ALERT_STATUS_META[alert.alertStatus].label}</Badge>
              {alert.acknowledgedByName && alert.alertStatus === 'ACKNOWLEDGED' && (
                <div className="small muted">by {alert.acknowledgedByName}</div>
              )}
            </td>
            <td>
              <div className="row-actions">
                <button type="button" className="button button-small button-secondary" aria-label={`Details of ${name}`} onClick={() => onSelect(alert)}>
                  Details
                </button>
                {showActions && onAcknowledge && alert.alertStatus === 'ACTIVE' && (
                  <button type="button" className="button button-small" aria-label={`Acknowledge ${name}`} onClick={() => onAcknowledge(alert)}>
                    Acknowledge
                  </button>
                )}
                {showActions && onResolve && alert.alertStatus !== 'RESOLVED' && (
                  <button type="button" className="button button-small button-secondary" aria-label={`Resolve ${name}`} onClick={() => onResolve(alert)}>
                    Resolve
                  </button>
                )}
              </div>
            </td>
          </tr>
        );
      })}
    </TableCard>
  );
}
