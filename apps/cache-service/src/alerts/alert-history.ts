import type { AlertEvent, AlertSeverity } from '@ccc/shared-types';
import type { DataSource } from 'typeorm';
import type { NotificationChannel } from '../telemetry/metric-definitions.js';
import type { CacheAlertEntity } from './cache-alert.entity.js';

/** An alert keeps its latest events only; `alert_context.historyDropped` counts the older ones let go. */
export const HISTORY_LIMIT = 100;

/**
 * Bookkeeping kept in `alert_context` across evaluations (the evaluator rewrites the rest of the context
 * each round): the dropped-history count, the severity an acknowledgement was for, per channel when the newest
 * delivered notification's event happened (older ones of that channel still in the queue are not sent after it),
 * and the severity remediation escalated the alert to.
 */
export interface AlertBookkeeping {
  historyDropped?: number;
  acknowledgedSeverity?: AlertSeverity;
  /** The webhook's (the name it had before e-mails existed, so alerts notified then keep their mark). */
  lastDeliveredEventAt?: string;
  lastEmailDeliveredEventAt?: string;
  /** The severity a remediation rule escalated the alert to when it gave up: the evaluator keeps it at least there. */
  escalatedTo?: AlertSeverity;
}

/** Where each channel's newest delivered event time is kept in `alert_context`. */
export const DELIVERED_EVENT_KEY = {
  webhook: 'lastDeliveredEventAt',
  email: 'lastEmailDeliveredEventAt',
} as const satisfies Record<NotificationChannel, keyof AlertBookkeeping>;

const BOOKKEEPING_KEYS = [
  'historyDropped',
  'acknowledgedSeverity',
  'lastDeliveredEventAt',
  'lastEmailDeliveredEventAt',
  'escalatedTo',
] as const;

export function bookkeepingOf(context: Record<string, unknown> | null): AlertBookkeeping {
  const kept: Record<string, unknown> = {};
  for (const key of BOOKKEEPING_KEYS) if (context?.[key] !== undefined) kept[key] = context[key];
  return kept as AlertBookkeeping;
}

/** A freshly measured context that keeps the alert's bookkeeping. */
export function withBookkeeping(
  context: Record<string, unknown>,
  previous: Record<string, unknown> | null,
): Record<string, unknown> {
  return { ...context, ...bookkeepingOf(previous) };
}

/** Appends events to an alert entity (the caller holds its row lock), keeping the latest HISTORY_LIMIT. */
export function addEvents(alert: CacheAlertEntity, ...events: AlertEvent[]): void {
  const all = [...(alert.history ?? []), ...events];
  const dropped = Math.max(0, all.length - HISTORY_LIMIT);
  alert.history = dropped > 0 ? all.slice(dropped) : all;
  if (dropped > 0) {
    const before = Number(alert.alertContext?.historyDropped ?? 0) || 0;
    alert.alertContext = { ...(alert.alertContext ?? {}), historyDropped: before + dropped };
  }
}

/**
 * Appends one event to an alert's history in one statement (the evaluator may be updating the same row:
 * the UPDATE waits for its row lock), keeping the latest HISTORY_LIMIT events and counting the dropped ones.
 * `deliveredEventAt` (a delivered notification's event time) moves the channel's mark (DELIVERED_EVENT_KEY) forward,
 * never back.
 */
export async function appendAlertEvent(
  db: DataSource,
  alertId: string,
  event: AlertEvent,
  deliveredEventAt: string | null = null,
  channel: NotificationChannel = 'webhook',
): Promise<void> {
  // Every expression reads the row being updated (never a separate snapshot), so an UPDATE that waited for
  // the evaluator's row lock appends to what the evaluator wrote.
  const n = 'jsonb_array_length(history || $2::jsonb)';
  await db.query(
    `UPDATE cache_performance_alert
     SET history = CASE WHEN ${n} > $3::int
                        THEN (SELECT jsonb_agg(h.e ORDER BY h.i) FROM jsonb_array_elements(history || $2::jsonb) WITH ORDINALITY AS h(e, i) WHERE h.i > ${n} - $3::int)
                        ELSE history || $2::jsonb END,
         alert_context = CASE WHEN ${n} <= $3::int AND $4::text IS NULL THEN alert_context
                              ELSE COALESCE(alert_context, '{}'::jsonb)
                                || CASE WHEN ${n} > $3::int
                                        THEN jsonb_build_object('historyDropped', COALESCE((alert_context ->> 'historyDropped')::int, 0) + ${n} - $3::int)
                                        ELSE '{}'::jsonb END
                                || CASE WHEN $4::text IS NULL THEN '{}'::jsonb
                                        ELSE jsonb_build_object($5::text, GREATEST(alert_context ->> $5::text, $4::text)) END
                              END,
         updated_at = now()
     WHERE id = $1`,
    [alertId, JSON.stringify([event]), HISTORY_LIMIT, deliveredEventAt, DELIVERED_EVENT_KEY[channel]],
  );
}
