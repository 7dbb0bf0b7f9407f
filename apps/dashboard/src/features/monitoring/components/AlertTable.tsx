import type { CacheAlert, ThresholdDirection } from '@ccc/shared-types';
import { Badge } from '../../../components/ui/Badge';
import { DataTable, type Column } from '../../../components/ui/DataTable';
import { datasourceLabel, formatDateTime } from '../../../lib/format';
import {
  ALERT_STATUS_META,
  ALERT_TYPE_LABELS,
  alertUnit,
  formatAlertActual,
  formatAlertValue,
  SEVERITY_META,
} from '../labels';

interface AlertTableProps {
  label: string;
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

const alertName = (alert: CacheAlert) =>
  `${ALERT_TYPE_LABELS[alert.alertType]}${alert.datasourceName ? ` on ${alert.datasourceName}` : ''}`;

const COLUMNS: Array<Column<CacheAlert>> = [
  {
    id: 'severity',
    header: 'Severity',
    cell: (alert) => <Badge tone={SEVERITY_META[alert.severity].tone}>{SEVERITY_META[alert.severity].label}</Badge>,
  },
  {
    id: 'alert',
    header: 'Alert',
    cell: (alert) => (
      <>
        <strong>{ALERT_TYPE_LABELS[alert.alertType]}</strong>
        <div className="small muted alert-message">{alert.alertMessage}</div>
      </>
    ),
  },
  {
    id: 'datasource',
    header: 'Datasource',
    cell: (alert) =>
      alert.datasourceId !== null ? (
        datasourceLabel(alert.datasourceId, alert.datasourceName)
      ) : (
        <span className="muted">—</span>
      ),
  },
  {
    id: 'actual',
    header: 'Actual',
    numeric: true,
    cell: (alert) => <span data-testid={`alert-actual-${alert.id}`}>{formatAlertActual(alert, true)}</span>,
  },
  { id: 'threshold', header: 'Threshold', numeric: true, cell: thresholdText },
  {
    id: 'triggered',
    header: 'Triggered',
    className: 'small',
    cell: (alert) => <time dateTime={alert.triggeredAt}>{formatDateTime(alert.triggeredAt)}</time>,
  },
  {
    id: 'status',
    header: 'Status',
    cell: (alert) => (
      <>
        <Badge tone={ALERT_STATUS_META[alert.alertStatus].tone}>{ALERT_STATUS_META[alert.alertStatus].label}</Badge>
        {alert.acknowledgedByName && alert.alertStatus === 'ACKNOWLEDGED' && (
          <div className="small muted">by {alert.acknowledgedByName}</div>
        )}
      </>
    ),
  },
];

/** Alerts in the order the service ranks them (active first, most severe, newest). */
export function AlertTable({
  label,
  alerts,
  testId,
  canWrite,
  selectedId,
  busy,
  onSelect,
  onAcknowledge,
  onResolve,
}: AlertTableProps) {
  const actions: Column<CacheAlert> = {
    id: 'actions',
    header: 'Actions',
    hideHeader: true,
    cell: (alert) => {
      const name = alertName(alert);
      return (
        <div className="row-actions">
          <button
            type="button"
            className="button button-small button-secondary"
            aria-label={`Details of ${name}`}
            onClick={() => onSelect(alert)}
          >
            Details
          </button>
          {canWrite && onAcknowledge && alert.alertStatus === 'ACTIVE' && (
            <button
              type="button"
              className="button button-small"
              aria-label={`Acknowledge ${name}`}
              onClick={() => onAcknowledge(alert)}
            >
              Acknowledge
            </button>
          )}
          {canWrite && onResolve && alert.alertStatus !== 'RESOLVED' && (
            <button
              type="button"
              className="button button-small button-secondary"
              aria-label={`Resolve ${name}`}
              onClick={() => onResolve(alert)}
            >
              Resolve
            </button>
          )}
        </div>
      );
    },
  };
  return (
    <DataTable
      label={label}
      testId={testId}
      busy={busy}
      columns={[...COLUMNS, actions]}
      rows={alerts}
      rowKey={(alert) => alert.id}
      rowProps={(alert) => ({
        'data-testid': `alert-row-${alert.id}`,
        'data-status': alert.alertStatus,
        'aria-current': selectedId === alert.id ? 'true' : undefined,
      })}
    />
  );
}
