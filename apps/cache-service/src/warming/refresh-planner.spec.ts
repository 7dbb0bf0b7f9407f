import { chooseRefresh, type RefreshBase } from './refresh-planner.js';

type Input = Parameters<typeof chooseRefresh>[0];

const base: RefreshBase = {
  generation: 7,
  droppedRegions: 0,
  watermark: '2026-12-01 10:00:00+00',
  groupDirectory: true,
  signature: 'sig',
  incrementals: 3,
  fullAt: Date.parse('2026-12-01T09:00:00Z'),
  rolledBack: false,
};
const HOUR = 3_600_000;
const input: Input = {
  requested: 'auto',
  changeDetection: 'watermark',
  fullRefreshEvery: 24,
  signature: 'sig',
  namedGroups: false,
  base,
  previousIncrementalFailed: false,
  cdcFullWarmMinIntervalMs: HOUR,
  now: Date.parse('2026-12-01T10:00:00Z'),
};

describe('chooseRefresh', () => {
  it('refreshes incrementally when the datasource finds its changes and the live generation is a trustworthy base', () => {
    expect(chooseRefresh(input)).toEqual({ kind: 'incremental', reason: null });
    expect(chooseRefresh({ ...input, changeDetection: 'cdc', namedGroups: true })).toEqual({
      kind: 'incremental',
      reason: null,
    });
  });

  it('warms in full, saying why, whenever the base cannot be trusted', () => {
    const reason = (change: Partial<Input>, baseChange: Partial<RefreshBase> = {}): string | null =>
      chooseRefresh({ ...input, ...change, base: { ...base, ...baseChange } }).reason;
    expect(reason({ requested: 'full' })).toBe('a full warm was requested');
    expect(reason({}, { generation: null })).toMatch(/cold/);
    expect(reason({}, { groupDirectory: false })).toMatch(/no group directory/);
    expect(reason({ signature: 'other' })).toMatch(/mapping or watermark column changed/);
    expect(reason({}, { droppedRegions: 1 })).toMatch(/invalidated/);
    expect(reason({}, { watermark: null })).toMatch(/no watermark/);
    expect(reason({ changeDetection: 'cdc', namedGroups: true }, { rolledBack: true })).toMatch(/rolled back/);
    // A watermark re-reads what changed since the rolled-back generation: incremental stays possible.
    expect(reason({}, { rolledBack: true })).toBeNull();
    expect(reason({ previousIncrementalFailed: true })).toMatch(/previous incremental refresh failed/);
    expect(reason({}, { incrementals: 24 })).toMatch(/24 incremental refreshes since the last full warm/);
    expect(reason({ changeDetection: 'cdc' })).toMatch(/change data capture names/);
    expect(reason({ changeDetection: 'none', requested: 'incremental' })).toMatch(/no change detection/);
  });

  it('runs the periodic full warm of a cdc datasource after fullRefreshEvery refreshes and its minimum interval both', () => {
    const cdc: Input = { ...input, changeDetection: 'cdc', namedGroups: true };
    const choose = (incrementals: number, sinceFullMs: number | null): ReturnType<typeof chooseRefresh> =>
      chooseRefresh({
        ...cdc,
        base: { ...base, incrementals, fullAt: sinceFullMs === null ? null : cdc.now - sinceFullMs },
      });
    // Refreshes every few seconds reach the count within a minute: the full warm waits for the interval.
    expect(choose(500, 10 * 60_000)).toEqual({ kind: 'incremental', reason: null });
    expect(choose(500, HOUR).reason).toBe(
      '500 incremental refreshes since the last full warm (fullRefreshEvery 24), 3600 s after it (CDC_FULL_WARM_MIN_INTERVAL_SECONDS 3600)',
    );
    // …and the interval alone is not enough.
    expect(choose(23, 5 * HOUR)).toEqual({ kind: 'incremental', reason: null });
    // A generation written before the time was recorded counts as long ago.
    expect(choose(24, null).reason).toMatch(/24 incremental refreshes .*an unrecorded time after it/);
    // A watermark datasource keeps the count alone (its refreshes follow its schedule).
    expect(chooseRefresh({ ...input, base: { ...base, incrementals: 24, fullAt: input.now } }).reason).toMatch(
      /^24 incremental refreshes since the last full warm \(fullRefreshEvery 24\)$/,
    );
  });

  it('warms a datasource without change detection in full, with nothing to explain unless incremental was asked for', () => {
    expect(chooseRefresh({ ...input, changeDetection: 'none' })).toEqual({ kind: 'full', reason: null });
  });
});
