import type { AlertSeverity, JobStatus, RemediationActionType, RemediationMinSeverity } from '@ccc/shared-types';

export const WARM_ACTIONS: ReadonlySet<RemediationActionType> = new Set(['WARM', 'WARM_FORCE']);
const RANK: Record<AlertSeverity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };

/** What a rule knows when it looks at one open alert (gathered by the executor, judged here). */
export interface Situation {
  rule: {
    action: RemediationActionType;
    minSeverity: RemediationMinSeverity;
    cooldownSeconds: number;
    maxFailedAttempts: number;
    dryRun: boolean;
  };
  alert: { severity: AlertSeverity; datasourceId: number | null };
  /** When the rule last acted (or recorded a dry run, or failed to act) on this datasource. */
  lastActedAt: Date | null;
  /** States of the warms the rule queued for this alert, oldest first; a refused warm request is FAILED. */
  warmsForAlert: Array<JobStatus | null>;
  /** The rule already gave up on this alert. */
  escalated: boolean;
  /** A warm of the datasource is queued or running (whoever asked for it). */
  warmActive: boolean;
  /** Changes and escalations made in the last hour, by every rule, against the configured limit. */
  actionsLastHour: number;
  maxActionsPerHour: number;
  now: Date;
}

export type Decision =
  { kind: 'act' } | { kind: 'escalate'; failedAttempts: number } | { kind: 'skip'; reason: string };

const ACTIVE: ReadonlySet<JobStatus> = new Set(['PENDING', 'RUNNING', 'PAUSED']);

/**
 * Whether a rule acts on an open alert now. The guardrails, in order: the alert must be severe enough and have a
 * datasource (NOTIFY_ONLY acts on any); a rule that gave up stays quiet; a rule waits for its own warm; after
 * `maxFailedAttempts` failed warms it escalates instead; then the cool-down, a warm already queued or running,
 * and the hourly limit (dry runs and NOTIFY_ONLY change nothing: the limit neither counts nor holds them back).
 */
export function decide(s: Situation): Decision {
  if (RANK[s.alert.severity] < RANK[s.rule.minSeverity])
    return { kind: 'skip', reason: `below ${s.rule.minSeverity.toLowerCase()}` };
  if (s.alert.datasourceId === null && s.rule.action !== 'NOTIFY_ONLY')
    return { kind: 'skip', reason: 'the alert has no datasource' };
  if (s.escalated) return { kind: 'skip', reason: 'the rule gave up on this alert and escalated it' };
  const warms = WARM_ACTIONS.has(s.rule.action);
  if (warms && s.warmsForAlert.some((status) => status !== null && ACTIVE.has(status)))
    return { kind: 'skip', reason: 'its warm is still queued or running' };
  const failed = s.warmsForAlert.filter((status) => status === 'FAILED').length;
  if (warms && !s.rule.dryRun && failed >= s.rule.maxFailedAttempts)
    return { kind: 'escalate', failedAttempts: failed };
  if (s.lastActedAt && s.now.getTime() - s.lastActedAt.getTime() < s.rule.cooldownSeconds * 1000)
    return { kind: 'skip', reason: 'cooling down' };
  if (s.warmActive && s.alert.datasourceId !== null)
    return { kind: 'skip', reason: 'a warm of the datasource is queued or running' };
  if (!s.rule.dryRun && s.rule.action !== 'NOTIFY_ONLY' && s.actionsLastHour >= s.maxActionsPerHour)
    return { kind: 'skip', reason: `the limit of ${s.maxActionsPerHour} automatic actions per hour is reached` };
  return { kind: 'act' };
}

/** The raised staleness TTL: multiplied by the factor, capped; null when it is already at (or above) the cap. */
export function raisedTtl(current: number, factor: number, cap: number): number | null {
  const raised = Math.min(cap, Math.round(current * factor));
  return raised > current ? raised : null;
}
