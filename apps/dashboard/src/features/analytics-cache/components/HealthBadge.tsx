import type { CacheHealth } from '@ccc/shared-types';
import { Badge } from '../../../components/ui/Badge';
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
