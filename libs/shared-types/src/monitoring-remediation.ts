/** Monitoring: remediation rules — what the service does by itself when an alert fires or escalates. */
import type { CacheAlertType } from './monitoring-alerts.js';
import type { JobStatus } from './analytics-cache.js';

/**
 * What a rule does for an open alert of its type: queue a warm of the alert's datasource (WARM respects the
 * datasource's minimum warm interval, WARM_FORCE does not), raise its staleness TTL by a factor up to a cap, pause its
 * warm schedule, drop its cache in one Redis region (INVALIDATE_REGION: `region`, one of REDIS_REGIONS; readers there
 * go to their fallback or the database until the next warm), or only record and notify (NOTIFY_ONLY: the action list
 * and the alert's timeline say the rule saw it).
 */
export const REMEDIATION_ACTION_TYPES = [
  'WARM',
  'WARM_FORCE',
  'RAISE_STALENESS_TTL',
  'PAUSE_SCHEDULE',
  'INVALIDATE_REGION',
  'NOTIFY_ONLY',
] as const;
export type RemediationActionType = (typeof REMEDIATION_ACTION_TYPES)[number];

/** The lowest severity a rule acts on (INFO alerts are never raised by the evaluator). */
export const REMEDIATION_MIN_SEVERITIES = ['WARNING', 'CRITICAL'] as const;
export type RemediationMinSeverity = (typeof REMEDIATION_MIN_SEVERITIES)[number];

/** Bounds of a rule's inputs (the API refuses anything outside them with 400). */
export const REMEDIATION_LIMITS = {
  nameMaxLength: 100,
  cooldownSeconds: { min: 0, max: 7 * 86_400 },
  maxFailedAttempts: { min: 1, max: 20 },
  ttlFactor: { min: 1.1, max: 10 },
  maxTtlSeconds: { min: 60, max: 30 * 86_400 },
} as const;

export interface RemediationRule {
  id: string;
  name: string;
  alertType: CacheAlertType;
  minSeverity: RemediationMinSeverity;
  /** The datasource the rule is for; null = every datasource (alerts without a datasource are never acted on). */
  datasourceId: number | null;
  datasourceName: string | null;
  action: RemediationActionType;
  /** RAISE_STALENESS_TTL only: the TTL is multiplied by this factor… */
  ttlFactor: number | null;
  /** …and never raised beyond this many seconds. */
  maxTtlSeconds: number | null;
  /** INVALIDATE_REGION only: the Redis region (REDIS_REGIONS) whose copy of the datasource's cache is dropped. */
  region: string | null;
  /** After acting on a datasource, the rule waits this long before acting on it again. */
  cooldownSeconds: number;
  /** After this many warms queued by the rule for one alert failed, it stops and escalates the alert instead. */
  maxFailedAttempts: number;
  /** Records what it would have done (outcome DRY_RUN) without doing it. */
  dryRun: boolean;
  enabled: boolean;
  createdBy: string;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreateRemediationRuleRequest {
  name: string;
  alertType: CacheAlertType;
  /** Defaults to WARNING. */
  minSeverity?: RemediationMinSeverity;
  datasourceId?: number | null;
  action: RemediationActionType;
  /** Required for RAISE_STALENESS_TTL, refused for the other actions. */
  ttlFactor?: number | null;
  /** Required for RAISE_STALENESS_TTL, refused for the other actions. */
  maxTtlSeconds?: number | null;
  /** Required for INVALIDATE_REGION (a configured region), refused for the other actions. */
  region?: string | null;
  /** Defaults to 900. */
  cooldownSeconds?: number;
  /** Defaults to 3. */
  maxFailedAttempts?: number;
  dryRun?: boolean;
  enabled?: boolean;
}

export type UpdateRemediationRuleRequest = Partial<CreateRemediationRuleRequest>;

/**
 * DONE: the action was taken. DRY_RUN: a dry-run rule recorded what it would have done. FAILED: the action itself
 * could not be taken (e.g. the queue refused the warm). ESCALATED: the rule's warms failed too often; it stopped and
 * escalated the alert.
 */
export const REMEDIATION_OUTCOMES = ['DONE', 'DRY_RUN', 'FAILED', 'ESCALATED'] as const;
export type RemediationOutcome = (typeof REMEDIATION_OUTCOMES)[number];

export interface RemediationAction {
  id: string;
  /** Null once the rule is deleted (the action stays in the list, under `ruleName`). */
  ruleId: string | null;
  ruleName: string;
  alertId: string | null;
  alertType: CacheAlertType;
  datasourceId: number | null;
  datasourceName: string | null;
  action: RemediationActionType;
  outcome: RemediationOutcome;
  /** What was done, or would have been done, in words. */
  detail: string;
  /** The warm the action queued (WARM, WARM_FORCE), with its current state. */
  warmJobId: string | null;
  warmStatus: JobStatus | null;
  /** RAISE_STALENESS_TTL / PAUSE_SCHEDULE: the setting before and after, e.g. `{ stalenessTtlSeconds: 3600 }`. */
  previousValue: Record<string, unknown> | null;
  newValue: Record<string, unknown> | null;
  /** True while the undo endpoint can put the previous value back. */
  undoable: boolean;
  undoneAt: string | null;
  undoneBy: string | null;
  createdAt: string;
}

export interface RemediationActionQuery {
  ruleId?: string;
  outcome?: RemediationOutcome;
  datasourceId?: number;
  page?: number;
  pageSize?: number;
}
