import type { CacheHealth, OverallCacheHealth } from '@ccc/shared-types';
import type { Tone } from '../../components/ui/Badge';

export const HEALTH_META: Record<CacheHealth, { label: string; icon: string; tone: Tone }> = {
  excellent: { label: 'Excellent', icon: '⚡', tone: 'ok' },
  good: { label: 'Good', icon: '✓', tone: 'ok' },
  degraded: { label: 'Degraded', icon: '⚠', tone: 'warn' },
  stale: { label: 'Stale', icon: '⚠', tone: 'warn' },
  cold: { label: 'Cold', icon: '✕', tone: 'error' },
};

export const OVERALL_HEALTH_META: Record<OverallCacheHealth, { label: string; tone: Tone }> = {
  excellent: { label: 'Excellent', tone: 'ok' },
  good: { label: 'Good', tone: 'ok' },
  degraded: { label: 'Degraded', tone: 'warn' },
  critical: { label: 'Critical', tone: 'error' },
};
