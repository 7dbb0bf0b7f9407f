import { chooseRefresh, type RefreshBase } from './refresh-planner.js';

type Input = Parameters<typeof chooseRefresh>[0];

const base: RefreshBase = {
  generation: 7,
  droppedRegions: 0,
  watermark: '2026-12-01 10:00:00+00',
  groupDirectory: true,
  signature: 'sig',
  incrementals: 3,
  rolledBack: false,
};
const input: Input = {
  requested: 'auto',
  changeDetection: 'watermark',
  fullRefreshEvery: 24,
  signature: 'sig',
  namedGroups: false,
  base,
  previousIncrementalFailed: false,
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

  it('warms a datasource without change detection in full, with nothing to explain unless incremental was asked for', () => {
    expect(chooseRefresh({ ...input, changeDetection: 'none' })).toEqual({ kind: 'full', reason: null });
  });
});
