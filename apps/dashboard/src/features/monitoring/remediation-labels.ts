import type { RemediationActionType, RemediationOutcome } from '@ccc/shared-types';
import type { Tone } from '../../components/ui/Badge';

export const REMEDIATION_ACTION_LABELS: Record<RemediationActionType, string> = {
  WARM: 'Warm',
  WARM_FORCE: 'Warm (forced)',
  RAISE_STALENESS_TTL: 'Raise staleness TTL',
  PAUSE_SCHEDULE: 'Pause warm schedule',
  INVALIDATE_REGION: 'Invalidate a region',
  NOTIFY_ONLY: 'Notify only',
};

export const REMEDIATION_OUTCOME_META: Record<RemediationOutcome, { label: string; tone: Tone }> = {
  DONE: { label: 'Done', tone: 'ok' },
  DRY_RUN: { label: 'Dry run', tone: 'info' },
  FAILED: { label: 'Failed', tone: 'error' },
  ESCALATED: { label: 'Escalated', tone: 'warn' },
};

/** "15 min", "1 h", "0 s (none)": a cool-down as people say it. */
export function formatCooldown(seconds: number): string {
  if (seconds === 0) return 'none';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
