import { describe, expect, it } from 'vitest';
import { alertsReason, datasourceVerdict, overallVerdict } from './open-alerts';
import { alert } from './test-fixtures';

const critical = alert({ id: 'a1', severity: 'CRITICAL', alertType: 'HIT_RATE_LOW' });
const warning = alert({ id: 'a2', severity: 'WARNING', alertType: 'CACHE_STALE' });
const info = alert({ id: 'a3', severity: 'INFO', alertType: 'CACHE_STALE' });

describe('one verdict from cache health and open alerts', () => {
  it('says why, worst kind first, each kind once', () => {
    expect(alertsReason([])).toBeNull();
    expect(alertsReason([warning, critical])).toBe('2 open alerts: Hit rate low (critical), Cache stale (warning)');
    expect(alertsReason([warning])).toBe('1 open alert: Cache stale (warning)');
  });

  it('never reports Excellent overall while a critical alert is open; a warning makes it at least Degraded', () => {
    expect(overallVerdict('excellent', [])).toMatchObject({
      level: 'excellent',
      label: 'Excellent',
      reason: null,
      byAlert: false,
    });
    expect(overallVerdict('excellent', [critical, warning])).toMatchObject({
      level: 'critical',
      label: 'Critical',
      tone: 'error',
      byAlert: true,
    });
    expect(overallVerdict('good', [warning])).toMatchObject({ level: 'degraded', label: 'Degraded', tone: 'warn' });
    // The computed health stays when it is the worse one, and still names the alerts.
    expect(overallVerdict('critical', [warning])).toMatchObject({
      level: 'critical',
      byAlert: false,
      reason: '1 open alert: Cache stale (warning)',
    });
    expect(overallVerdict('excellent', [info])).toMatchObject({
      level: 'excellent',
      reason: '1 open alert: Cache stale (info)',
    });
  });

  it('lets a card show the worse of its health and its alerts', () => {
    expect(datasourceVerdict('excellent', [critical])).toMatchObject({
      label: 'Critical',
      tone: 'error',
      byAlert: true,
      reason: '1 open alert: Hit rate low (critical)',
    });
    expect(datasourceVerdict('good', [warning])).toMatchObject({ label: 'Warning', tone: 'warn', byAlert: true });
    // Stale is as bad as a warning: the health's own word stays; a critical alert outranks even Cold.
    expect(datasourceVerdict('stale', [warning])).toMatchObject({
      label: 'Stale',
      byAlert: false,
      reason: '1 open alert: Cache stale (warning)',
    });
    expect(datasourceVerdict('cold', [critical])).toMatchObject({ label: 'Critical', byAlert: true });
    expect(datasourceVerdict('excellent', [info])).toMatchObject({ label: 'Excellent', byAlert: false });
    expect(datasourceVerdict('excellent', [])).toMatchObject({ label: 'Excellent', reason: null });
  });
});
