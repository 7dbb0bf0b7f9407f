import type { MaintenanceWindow } from '@ccc/shared-types';

export interface WindowSettings {
  /** UTC hours [start, end); start > end wraps past midnight (22-4 = 22:00 to 04:00). */
  offPeakHours: { start: number; end: number };
  /** SCHEDULED: the moment from which the build may run. */
  scheduledAt: Date | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const startOfUtcDay = (date: Date): number => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());

/** Whether an index with this maintenance window may be built at `now`. */
export function isWindowOpen(window: MaintenanceWindow, settings: WindowSettings, now: Date): boolean {
  return windowOpensAt(window, settings, now).getTime() <= now.getTime();
}

/**
 * When the window next allows a build: `now` itself while it is open. OFF_PEAK opens at its start hour,
 * WEEKEND on Saturday 00:00 UTC (open through Sunday), SCHEDULED at scheduledAt.
 */
export function windowOpensAt(window: MaintenanceWindow, settings: WindowSettings, now: Date): Date {
  switch (window) {
    case 'IMMEDIATE':
      return now;
    case 'SCHEDULED':
      return settings.scheduledAt && settings.scheduledAt.getTime() > now.getTime() ? settings.scheduledAt : now;
    case 'WEEKEND': {
      const day = now.getUTCDay();
      if (day === 0 || day === 6) return now;
      return new Date(startOfUtcDay(now) + (6 - day) * DAY);
    }
    case 'OFF_PEAK': {
      const { start, end } = settings.offPeakHours;
      const hour = now.getUTCHours();
      const open = start < end ? hour >= start && hour < end : hour >= start || hour < end;
      if (open) return now;
      const today = startOfUtcDay(now) + start * HOUR;
      return new Date(today > now.getTime() ? today : today + DAY);
    }
  }
}
