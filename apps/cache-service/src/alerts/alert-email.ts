import type { AlertSeverity, AlertWebhookPayload, CacheAlertType, ThresholdMetricType } from '@ccc/shared-types';
import { THRESHOLD_METRICS } from '@ccc/shared-types';
import { formatValue } from './alert-rules.js';

/** What an alert e-mail is made of: the notification's event and alert snapshot, as queued for every channel. */
export interface AlertEmailInput {
  event: AlertWebhookPayload['event'];
  alert: AlertWebhookPayload['alert'];
  /** What happened, when it says more than the alert's message (e.g. the recovery). */
  detail?: string;
  /** When the event happened (the notification was queued then). */
  eventAt: Date;
  /** The dashboard's public address, ending with "/". */
  dashboardUrl: string;
}

export interface AlertEmail {
  subject: string;
  text: string;
  html: string;
  /** The alert's page in the dashboard. */
  link: string;
}

/** What the alert measures, as a subject line names it ("Hit rate 42% < 50%"). */
const MEASURE: Record<CacheAlertType, string> = {
  HIT_RATE_LOW: 'Hit rate',
  QUERY_TIME_HIGH: 'Query time',
  MEMORY_USAGE_HIGH: 'Memory share',
  CACHE_STALE: 'Cache age',
  WARMING_FAILED: 'Failed warms',
  EVICTION_RATE_HIGH: 'Evictions per minute',
  INDEX_SCAN_RATIO_LOW: 'Index scan ratio',
  TABLE_SIZE_HIGH: 'Table size',
  CONNECTION_COUNT_HIGH: 'Connections',
  DEADLOCK_COUNT_HIGH: 'Deadlocks',
  CDC_SLOT_UNHEALTHY: 'Replication slot lag',
};

/** The alert type as the dashboard labels it. */
const TITLE: Record<CacheAlertType, string> = {
  HIT_RATE_LOW: 'Hit rate low',
  QUERY_TIME_HIGH: 'Query time high',
  MEMORY_USAGE_HIGH: 'Memory usage high',
  CACHE_STALE: 'Cache stale',
  WARMING_FAILED: 'Warming failed',
  EVICTION_RATE_HIGH: 'Eviction rate high',
  INDEX_SCAN_RATIO_LOW: 'Index scan ratio low',
  TABLE_SIZE_HIGH: 'Table size high',
  CONNECTION_COUNT_HIGH: 'Connections high',
  DEADLOCK_COUNT_HIGH: 'Deadlocks',
  CDC_SLOT_UNHEALTHY: 'Replication slot unhealthy',
};

/** The status the e-mail announces. */
const STATUS: Record<AlertWebhookPayload['event'], string> = {
  FIRED: 'FIRED',
  ESCALATED: 'ESCALATED',
  REPEAT: 'STILL ACTIVE',
  RESOLVED: 'RESOLVED',
};

const COLOUR: Record<AlertSeverity | 'RESOLVED', string> = {
  CRITICAL: '#b42318',
  WARNING: '#b54708',
  INFO: '#175cd3',
  RESOLVED: '#067647',
};

const SCOPE_SUBJECT = { datasource: 'all datasources', table: 'PostgreSQL', database: 'PostgreSQL', redis: 'Redis' };

const metricOf = (alertType: CacheAlertType): (typeof THRESHOLD_METRICS)[ThresholdMetricType] =>
  Object.values(THRESHOLD_METRICS).find((metric) => metric.alertType === alertType)!;

/** Every character that means something in HTML text or in a quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );
}

/** A header value on one line (control characters would start a new header) and of a length inboxes show. */
function headerText(value: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const line = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const utc = (at: Date | string): string =>
  new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');

/**
 * The e-mail of one alert notification: a subject that reads in an inbox list, e.g.
 * "[CRITICAL] Hit rate 42% < 50% — Revenue Analytics" (escalations and reminders say so, a resolution reads
 * "[RESOLVED] Hit rate low — Revenue Analytics"), and the same facts as plain text and as HTML, every value escaped.
 */
export function renderAlertEmail(input: AlertEmailInput): AlertEmail {
  const { event, alert } = input;
  const metric = metricOf(alert.alertType);
  const value = formatValue(metric.unit, alert.actualValue);
  const threshold = formatValue(metric.unit, alert.thresholdValue, true);
  // The value as it relates to the level, whatever the event (a resolution's value is back on the good side).
  const comparison =
    alert.actualValue < alert.thresholdValue ? '<' : alert.actualValue > alert.thresholdValue ? '>' : '=';
  const where = alert.datasourceName ?? SCOPE_SUBJECT[metric.scope];
  const link = new URL(`alerts?alert=${encodeURIComponent(alert.id)}`, input.dashboardUrl).href;
  const prefix = event === 'ESCALATED' ? 'Escalated: ' : event === 'REPEAT' ? 'Still active: ' : '';
  const subject = headerText(
    event === 'RESOLVED'
      ? `[RESOLVED] ${TITLE[alert.alertType]} — ${where}`
      : `[${alert.severity}] ${prefix}${MEASURE[alert.alertType]} ${value} ${comparison} ${threshold} — ${where}`,
  );
  const message = input.detail ?? alert.alertMessage;
  const status = `${STATUS[event]} (the alert is ${alert.alertStatus})`;
  const rows: Array<[string, string]> = [
    ['Alert', `${TITLE[alert.alertType]} (${alert.alertType})`],
    ['Severity', alert.severity],
    ['Status', status],
    [
      'Datasource',
      alert.datasourceId === null
        ? `none (service-wide: ${SCOPE_SUBJECT[metric.scope]})`
        : `${alert.datasourceName ?? 'unknown'} (id ${alert.datasourceId})`,
    ],
    [
      'Value',
      `${value} ${comparison} ${threshold} (${alert.severity.toLowerCase()} threshold: alerts ${metric.direction === 'BELOW' ? 'at or below' : 'at or above'} it)`,
    ],
    ['Triggered', utc(alert.triggeredAt)],
    [event === 'RESOLVED' ? 'Resolved' : 'This event', utc(input.eventAt)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const text = [
    `${STATUS[event]}: ${TITLE[alert.alertType]} — ${where}`,
    '',
    message,
    '',
    ...rows.map(([label, cell]) => `${label.padEnd(width)}${cell}`),
    '',
    `Open the alert in the dashboard: ${link}`,
    '',
    '-- ',
    `Cache Command Center alert notification (alert ${alert.id}).`,
    '',
  ].join('\n');

  const colour = COLOUR[event === 'RESOLVED' ? 'RESOLVED' : alert.severity];
  const cell = 'padding:4px 12px 4px 0;vertical-align:top';
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#101828">
<div style="max-width:640px">
<p style="margin:0 0 12px;padding:8px 12px;border-left:4px solid ${colour};background:#f9fafb;font-weight:600">${escapeHtml(`${STATUS[event]}: ${TITLE[alert.alertType]} — ${where}`)}</p>
<p style="margin:0 0 16px">${escapeHtml(message)}</p>
<table role="presentation" style="border-collapse:collapse;font-size:14px">
${rows.map(([label, content]) => `<tr><th scope="row" style="${cell};text-align:left;color:#475467;font-weight:500">${escapeHtml(label)}</th><td style="${cell}">${escapeHtml(content)}</td></tr>`).join('\n')}
</table>
<p style="margin:20px 0"><a href="${escapeHtml(link)}" style="display:inline-block;padding:8px 14px;border-radius:6px;background:#155eef;color:#ffffff;text-decoration:none">Open the alert in the dashboard</a></p>
<p style="margin:0;color:#667085;font-size:12px">Cache Command Center alert notification (alert ${escapeHtml(alert.id)}).</p>
</div>
</body>
</html>
`;
  return { subject, text, html, link };
}
