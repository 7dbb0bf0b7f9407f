import { decide, raisedTtl, type Situation } from './remediation-guardrails.js';

const now = new Date('2026-12-05T10:00:00Z');
const base = (over: Partial<Situation> = {}, rule: Partial<Situation['rule']> = {}): Situation => ({
  rule: { action: 'WARM', minSeverity: 'WARNING', cooldownSeconds: 600, maxFailedAttempts: 2, dryRun: false, ...rule },
  alert: { severity: 'WARNING', datasourceId: 7 },
  lastActedAt: null,
  warmsForAlert: [],
  escalated: false,
  warmActive: false,
  actionsLastHour: 0,
  maxActionsPerHour: 10,
  now,
  ...over,
});

describe('remediation guardrails', () => {
  it('acts on a fresh alert', () => {
    expect(decide(base())).toEqual({ kind: 'act' });
  });

  it('leaves alerts below the minimum severity alone', () => {
    expect(decide(base({}, { minSeverity: 'CRITICAL' }))).toMatchObject({ kind: 'skip', reason: 'below critical' });
  });

  it('holds during the cool-down and acts after it', () => {
    expect(decide(base({ lastActedAt: new Date(now.getTime() - 599_000) }))).toMatchObject({ reason: 'cooling down' });
    expect(decide(base({ lastActedAt: new Date(now.getTime() - 600_000) }))).toEqual({ kind: 'act' });
  });

  it('never queues a second warm while one is queued or running', () => {
    expect(decide(base({ warmActive: true }))).toMatchObject({ kind: 'skip' });
    expect(decide(base({ warmsForAlert: ['RUNNING'] }))).toMatchObject({
      reason: 'its warm is still queued or running',
    });
  });

  it('escalates after the configured failed warms, and only once', () => {
    expect(decide(base({ warmsForAlert: ['FAILED'] }, { cooldownSeconds: 0 }))).toEqual({ kind: 'act' });
    expect(decide(base({ warmsForAlert: ['FAILED', 'FAILED'] }))).toEqual({ kind: 'escalate', failedAttempts: 2 });
    expect(decide(base({ warmsForAlert: ['FAILED', 'FAILED'], escalated: true }))).toMatchObject({ kind: 'skip' });
  });

  it('stops at the hourly limit, except for dry runs and NOTIFY_ONLY rules that change nothing', () => {
    expect(decide(base({ actionsLastHour: 10 }))).toMatchObject({ kind: 'skip' });
    expect(decide(base({ actionsLastHour: 10 }, { dryRun: true }))).toEqual({ kind: 'act' });
    expect(decide(base({ actionsLastHour: 10 }, { action: 'NOTIFY_ONLY' }))).toEqual({ kind: 'act' });
  });

  it('needs a datasource for everything but NOTIFY_ONLY', () => {
    const global = { alert: { severity: 'CRITICAL' as const, datasourceId: null } };
    expect(decide(base(global))).toMatchObject({ kind: 'skip', reason: 'the alert has no datasource' });
    expect(decide(base(global, { action: 'NOTIFY_ONLY' }))).toEqual({ kind: 'act' });
  });

  it('raises a TTL by its factor up to the cap', () => {
    expect(raisedTtl(3600, 2, 86_400)).toBe(7200);
    expect(raisedTtl(60_000, 2, 86_400)).toBe(86_400);
    expect(raisedTtl(86_400, 2, 86_400)).toBeNull();
  });
});
