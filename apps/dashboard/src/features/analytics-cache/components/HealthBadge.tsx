import type { CacheHealth } from '@ccc/shared-types';
import { Badge } from '../../../components/ui/Badge';
import type { Verdict } from '../../monitoring/open-alerts';
import { HEALTH_META } from '../health';

/** "⚡ Excellent", "⚠ Stale", "✕ Cold": the label carries the meaning, colour and icon only repeat it. */
export function HealthBadge({ health, testId }: { health: CacheHealth; testId?: string }) {
  const meta = HEALTH_META[health];
  return (
    <Badge tone={meta.tone} testId={testId}>
      <span aria-hidden="true">{meta.icon} </span>
      {meta.label}
    </Badge>
  );
}

export function HealthDot({ health }: { health: CacheHealth }) {
  return <span className={`health-dot health-dot-${health}`} aria-hidden="true" />;
}

/** A datasource's verdict (its health, or a worse open alert): dot and badge. */
export function VerdictBadge({ health, verdict, testId }: { health: CacheHealth; verdict: Verdict; testId?: string }) {
  return (
    <>
      <HealthDot health={verdict.byAlert ? (verdict.tone === 'error' ? 'cold' : 'degraded') : health} />{' '}
      <Badge tone={verdict.tone} testId={testId}>
        <span aria-hidden="true">{verdict.icon} </span>
        {verdict.label}
      </Badge>
    </>
  );
}
