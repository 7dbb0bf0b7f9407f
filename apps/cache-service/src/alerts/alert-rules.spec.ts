import type { AlertWebhookPayload } from '@ccc/shared-types';
import {
  alertMessage,
  decide,
  formatValue,
  recoveryMessage,
  severityOf,
  webhookText,
  type OpenAlertState,
} from './alert-rules.js';

const hitRate = { warning: 60, critical: 30, direction: 'BELOW' as const };
const queryTime = { warning: 50, critical: 250, direction: 'ABOVE' as const };
const now = new Date('2026-03-01T12:00:00Z');
const open = (extra: Partial<OpenAlertState> = {}): OpenAlertState => ({
  status: 'ACTIVE',
  severity: 'WARNING',
  triggeredAt: new Date(now.getTime() - 60_000),
  lastNotifiedAt: new Date(now.getTime() - 60_000),
  notifiedSeverity: 'WARNING',
  acknowledgedSeverity: null,
  ...extra,
});

describe('severityOf', () => {
  it.each([
    [91, null],
    [60.01, null],
    [60, 'WARNING'],
    [42, 'WARNING'],
    [30, 'CRITICAL'],
    [0, 'CRITICAL'],
  ])('hit rate %p %% against warning 60 / critical 30 (lower is worse) → %p', (value, expected) => {
    expect(severityOf(value, hitRate)).toBe(expected);
  });

  it.each([
    [10, null],
    [50, 'WARNING'],
    [249.9, 'WARNING'],
    [250, 'CRITICAL'],
    [1000, 'CRITICAL'],
  ])('query time %p ms against warning 50 / critical 250 (higher is worse) → %p', (value, expected) => {
    expect(severityOf(value, queryTime)).toBe(expected);
  });

  it('counts one failed warm against a warning level of 1', () => {
    expect(severityOf(1, { warning: 1, critical: 3, direction: 'ABOVE' })).toBe('WARNING');
  });
});

describe('decide: the alert lifecycle', () => {
  it('fires on a breach without an open alert, and does nothing without one', () => {
    expect(decide(null, 'WARNING', now, null)).toEqual({ kind: 'fire', severity: 'WARNING', notify: true });
    expect(decide(null, null, now, null)).toEqual({ kind: 'none' });
  });

  it('escalates to a worse severity, also from ACKNOWLEDGED', () => {
    expect(decide(open(), 'CRITICAL', now, null)).toEqual({ kind: 'escalate', severity: 'CRITICAL', notify: true });
    expect(decide(open({ status: 'ACKNOWLEDGED', acknowledgedSeverity: 'WARNING' }), 'CRITICAL', now, null)).toEqual({
      kind: 'escalate',
      severity: 'CRITICAL',
      notify: true,
    });
  });

  it('escalates quietly (no page, acknowledgement kept) back to a severity already notified or acknowledged: a flap pages once', () => {
    // CRITICAL was notified, dipped to WARNING, back to CRITICAL.
    expect(decide(open({ notifiedSeverity: 'CRITICAL' }), 'CRITICAL', now, null)).toEqual({
      kind: 'escalate',
      severity: 'CRITICAL',
      notify: false,
    });
    expect(
      decide(
        open({ status: 'ACKNOWLEDGED', notifiedSeverity: 'CRITICAL', acknowledgedSeverity: 'CRITICAL' }),
        'CRITICAL',
        now,
        null,
      ),
    ).toEqual({ kind: 'escalate', severity: 'CRITICAL', notify: false });
    // No webhook (nothing notified): the acknowledgement alone counts.
    expect(
      decide(
        open({ status: 'ACKNOWLEDGED', notifiedSeverity: null, acknowledgedSeverity: 'CRITICAL' }),
        'CRITICAL',
        now,
        null,
      ),
    ).toEqual({ kind: 'escalate', severity: 'CRITICAL', notify: false });
    // Acknowledged at WARNING only: CRITICAL is news.
    expect(
      decide(
        open({ status: 'ACKNOWLEDGED', notifiedSeverity: null, acknowledgedSeverity: 'WARNING' }),
        'CRITICAL',
        now,
        null,
      ),
    ).toEqual({ kind: 'escalate', severity: 'CRITICAL', notify: true });
    expect(decide(open({ notifiedSeverity: null }), 'CRITICAL', now, null)).toEqual({
      kind: 'escalate',
      severity: 'CRITICAL',
      notify: true,
    });
  });

  it('de-escalates quietly when still breaching but less', () => {
    expect(decide(open({ severity: 'CRITICAL' }), 'WARNING', now, null)).toEqual({
      kind: 'deescalate',
      severity: 'WARNING',
      notify: false,
    });
  });

  it('resolves when the metric recovers', () => {
    expect(decide(open({ status: 'ACKNOWLEDGED', severity: 'CRITICAL' }), null, now, null)).toEqual({
      kind: 'resolve',
      notify: true,
    });
  });

  it('repeats an ACTIVE alert once the interval has passed since the last notification, never an ACKNOWLEDGED one', () => {
    expect(decide(open(), 'WARNING', now, 120_000)).toEqual({ kind: 'unchanged', severity: 'WARNING', repeat: false });
    expect(decide(open(), 'WARNING', now, 60_000)).toEqual({ kind: 'unchanged', severity: 'WARNING', repeat: true });
    expect(decide(open({ status: 'ACKNOWLEDGED' }), 'WARNING', now, 1)).toEqual({
      kind: 'unchanged',
      severity: 'WARNING',
      repeat: false,
    });
    // No webhook: nothing to repeat.
    expect(decide(open(), 'WARNING', now, null)).toEqual({ kind: 'unchanged', severity: 'WARNING', repeat: false });
    // Never notified (the webhook came later): counts from when it fired.
    expect(
      decide(open({ lastNotifiedAt: null, triggeredAt: new Date(now.getTime() - 3_600_000) }), 'WARNING', now, 60_000),
    ).toMatchObject({ repeat: true });
  });
});

describe('messages', () => {
  it('names the datasource, the value and the level crossed', () => {
    expect(
      alertMessage('CACHE_HIT_RATIO', { datasourceName: 'Revenue Analytics', tableName: null }, 42, 'WARNING', hitRate),
    ).toBe('Hit rate of Revenue Analytics (last 15 min) is 42% (warning below 60%)');
    expect(
      alertMessage(
        'QUERY_TIME',
        { datasourceName: 'Revenue Analytics', tableName: null },
        312.44,
        'CRITICAL',
        queryTime,
      ),
    ).toBe('Average query time of Revenue Analytics is 312.4 ms (critical above 250 ms)');
    expect(
      alertMessage('TABLE_SIZE', { datasourceName: 'Visits', tableName: 'demo.visits' }, 3 * 1024 ** 3, 'WARNING', {
        warning: 2 * 1024 ** 3,
        critical: 8 * 1024 ** 3,
        direction: 'ABOVE',
      }),
    ).toBe('Table demo.visits (Visits) is 3.0 GB (warning above 2.0 GB)');
    expect(
      recoveryMessage('CACHE_HIT_RATIO', { datasourceName: 'Revenue Analytics', tableName: null }, 90.909, hitRate),
    ).toBe('Recovered: Hit rate of Revenue Analytics (last 15 min) is 90.9% (warning below 60%)');
  });

  it('says "at" when the value is exactly the level crossed', () => {
    expect(
      alertMessage('WARMING_FAILURES', { datasourceName: 'Visits', tableName: null }, 1, 'WARNING', {
        warning: 1,
        critical: 3,
        direction: 'ABOVE' as const,
      }),
    ).toBe('1 warming job(s) of Visits failed in the last 24 h (warning at 1)');
  });

  it('formats counts without decimals', () => {
    expect(formatValue('COUNT', 3)).toBe('3');
    expect(formatValue('BYTES', 512)).toBe('512 B');
  });

  it('writes a Slack line that leads with the severity and the alert type', () => {
    const alert: AlertWebhookPayload['alert'] = {
      id: 'a',
      alertType: 'HIT_RATE_LOW',
      severity: 'CRITICAL',
      alertStatus: 'ACTIVE',
      datasourceId: 1,
      datasourceName: 'Revenue Analytics',
      alertMessage: 'Hit rate of Revenue Analytics (last 15 min) is 20% (critical below 30%)',
      thresholdValue: 30,
      actualValue: 20,
      triggeredAt: now.toISOString(),
    };
    expect(webhookText('FIRED', alert)).toBe(
      ':rotating_light: CRITICAL HIT_RATE_LOW — Hit rate of Revenue Analytics (last 15 min) is 20% (critical below 30%)',
    );
    expect(webhookText('RESOLVED', alert, 'Recovered: …')).toBe(
      ':white_check_mark: RESOLVED HIT_RATE_LOW — Recovered: …',
    );
    expect(webhookText('ESCALATED', { ...alert, severity: 'WARNING' })).toMatch(
      /^:warning: WARNING HIT_RATE_LOW \(escalated\) — /,
    );
  });
});
