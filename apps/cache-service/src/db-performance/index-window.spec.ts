import { isWindowOpen, windowOpensAt } from './index-window.js';

const at = (iso: string): Date => new Date(iso);
const settings = (start: number, end: number, scheduledAt: Date | null = null) => ({
  offPeakHours: { start, end },
  scheduledAt,
});

describe('index maintenance windows', () => {
  it('IMMEDIATE is always open', () => {
    const now = at('2026-03-04T13:30:00Z');
    expect(windowOpensAt('IMMEDIATE', settings(1, 5), now)).toEqual(now);
  });

  it('OFF_PEAK is open in [start, end) UTC and otherwise opens at the next start hour', () => {
    expect(isWindowOpen('OFF_PEAK', settings(1, 5), at('2026-03-04T01:00:00Z'))).toBe(true);
    expect(isWindowOpen('OFF_PEAK', settings(1, 5), at('2026-03-04T04:59:59Z'))).toBe(true);
    expect(isWindowOpen('OFF_PEAK', settings(1, 5), at('2026-03-04T05:00:00Z'))).toBe(false);
    // Before the start hour: today; after the end: tomorrow.
    expect(windowOpensAt('OFF_PEAK', settings(1, 5), at('2026-03-04T00:30:00Z'))).toEqual(at('2026-03-04T01:00:00Z'));
    expect(windowOpensAt('OFF_PEAK', settings(1, 5), at('2026-03-04T13:30:00Z'))).toEqual(at('2026-03-05T01:00:00Z'));
  });

  it('OFF_PEAK may wrap past midnight', () => {
    const wrap = settings(22, 4);
    expect(isWindowOpen('OFF_PEAK', wrap, at('2026-03-04T23:10:00Z'))).toBe(true);
    expect(isWindowOpen('OFF_PEAK', wrap, at('2026-03-05T03:59:00Z'))).toBe(true);
    expect(isWindowOpen('OFF_PEAK', wrap, at('2026-03-05T04:00:00Z'))).toBe(false);
    expect(windowOpensAt('OFF_PEAK', wrap, at('2026-03-05T12:00:00Z'))).toEqual(at('2026-03-05T22:00:00Z'));
    // End hour 24 means up to midnight.
    expect(isWindowOpen('OFF_PEAK', settings(20, 24), at('2026-03-05T23:59:00Z'))).toBe(true);
  });

  it('WEEKEND is open on Saturday and Sunday UTC and otherwise opens on Saturday 00:00 UTC', () => {
    expect(isWindowOpen('WEEKEND', settings(1, 5), at('2026-03-07T10:00:00Z'))).toBe(true); // Saturday
    expect(isWindowOpen('WEEKEND', settings(1, 5), at('2026-03-08T23:59:00Z'))).toBe(true); // Sunday
    expect(windowOpensAt('WEEKEND', settings(1, 5), at('2026-03-09T00:00:00Z'))).toEqual(at('2026-03-14T00:00:00Z')); // Monday
    expect(windowOpensAt('WEEKEND', settings(1, 5), at('2026-03-06T23:00:00Z'))).toEqual(at('2026-03-07T00:00:00Z')); // Friday
  });

  it('SCHEDULED opens at scheduledAt', () => {
    const when = at('2026-03-04T18:00:00Z');
    expect(windowOpensAt('SCHEDULED', settings(1, 5, when), at('2026-03-04T12:00:00Z'))).toEqual(when);
    expect(isWindowOpen('SCHEDULED', settings(1, 5, when), at('2026-03-04T18:00:00Z'))).toBe(true);
  });
});
