import { ALL_GROUPS, compareLsn, groupsOfChange, PendingChanges } from './change-decoder.js';

const MAPPING = {
  measure: 'measure',
  practice: 'practice_id',
  provider: 'provider_id',
  frequency: 'frequency',
  period: 'period_date',
  value: 'value',
};
const row = (measure: string, practice: string, provider: string, frequency = 'Daily') => ({
  measure,
  practice_id: practice,
  provider_id: provider,
  frequency,
  period_date: '2026-01-01',
  value: '1',
});
const group = (measure: string, practice: string, provider: string, frequency = 'Daily') => ({
  measure,
  practice,
  provider,
  frequency,
});

describe('groupsOfChange', () => {
  it('an insert changes its group, a delete its old group', () => {
    expect(groupsOfChange({ tag: 'insert', new: row('Charges', '1', '1001') }, MAPPING)).toEqual([
      group('Charges', '1', '1001'),
    ]);
    expect(groupsOfChange({ tag: 'delete', old: row('Visits', '2', '2001'), key: null }, MAPPING)).toEqual([
      group('Visits', '2', '2001'),
    ]);
  });

  it('an update moving a row to another provider changes both groups; one staying in its group changes that one', () => {
    const moved = {
      tag: 'update' as const,
      old: row('Charges', '1', '1001'),
      key: null,
      new: row('Charges', '1', '1002'),
    };
    expect(groupsOfChange(moved, MAPPING)).toEqual([group('Charges', '1', '1001'), group('Charges', '1', '1002')]);
    const stayed = {
      tag: 'update' as const,
      old: row('Charges', '1', '1001'),
      key: null,
      new: row('Charges', '1', '1001'),
    };
    expect(groupsOfChange(stayed, MAPPING)).toEqual([group('Charges', '1', '1001')]);
  });

  it('a NULL dimension groups as the empty string, as the warm reads it', () => {
    expect(
      groupsOfChange({ tag: 'insert', new: { ...row('Charges', '1', '1001'), provider_id: null } }, MAPPING),
    ).toEqual([group('Charges', '1', '')]);
  });

  it('a truncate, or a deleted row whose key lacks a grouping column, refreshes every group', () => {
    expect(groupsOfChange({ tag: 'truncate' }, MAPPING)).toBe(ALL_GROUPS);
    expect(groupsOfChange({ tag: 'delete', old: null, key: { id: '7' } }, MAPPING)).toBe(ALL_GROUPS);
  });
});

describe('PendingChanges', () => {
  it('counts only committed transactions, de-duplicates groups, and hands over the position they reach', () => {
    const pending = new PendingChanges();
    pending.add([group('Charges', '1', '1001')]);
    expect(pending.empty).toBe(true);
    pending.commit('0/1A0', 1_000);
    pending.add([group('Charges', '1', '1001'), group('Visits', '1', '1001')]);
    pending.commit('0/2B0', 2_000);
    expect(pending.size).toBe(2);
    expect(pending.oldestAt).toBe(1_000);
    expect(pending.take()).toEqual({
      groups: [group('Charges', '1', '1001'), group('Visits', '1', '1001')],
      lsn: '0/2B0',
    });
    expect(pending.empty).toBe(true);
    expect(pending.oldestAt).toBeNull();
  });

  it('one change of every group makes the next refresh a full one', () => {
    const pending = new PendingChanges();
    pending.add([group('Charges', '1', '1001')]);
    pending.add(ALL_GROUPS);
    pending.commit('0/10', 0);
    expect(pending.take().groups).toBe(ALL_GROUPS);
  });

  it('after a failed refresh every group is pending again, while the transaction being received stays uncommitted', () => {
    const pending = new PendingChanges();
    pending.add([group('Charges', '1', '1001')]);
    pending.commit('0/10', 1_000);
    pending.take();
    pending.add([group('Visits', '1', '1001')]);
    pending.allChanged(5_000);
    expect(pending.empty).toBe(false);
    expect(pending.oldestAt).toBe(5_000);
    // Not moved back, nor forward past what was decoded.
    expect(pending.position).toBe('0/10');
    expect(pending.take()).toEqual({ groups: ALL_GROUPS, lsn: '0/10' });
    // The half-received transaction counts once its commit arrives.
    pending.commit('0/20', 6_000);
    expect(pending.take()).toEqual({ groups: [group('Visits', '1', '1001')], lsn: '0/20' });
  });
});

describe('compareLsn', () => {
  it('orders positions by both halves, in hex', () => {
    expect(compareLsn('0/FF', '1/0')).toBe(-1);
    expect(compareLsn('A/10', '9/FFFFFFFF')).toBe(1);
    expect(compareLsn('0/1A', '0/1a')).toBe(0);
  });
});
