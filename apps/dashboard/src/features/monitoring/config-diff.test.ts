import { describe, expect, it } from 'vitest';
import { diffConfigs, formatConfigValue } from './config-diff';

describe('configuration diff', () => {
  it('lists every key of either side, in order, marking the ones that change', () => {
    expect(
      diffConfigs(
        { stalenessTtlSeconds: 14400, warmSchedule: null },
        { stalenessTtlSeconds: 28800, warmSchedule: null, predictive: true },
      ),
    ).toEqual([
      { key: 'stalenessTtlSeconds', current: 14400, recommended: 28800, changed: true },
      { key: 'warmSchedule', current: null, recommended: null, changed: false },
      { key: 'predictive', current: undefined, recommended: true, changed: true },
    ]);
  });

  it('compares nested values by content, whatever the key order', () => {
    const [row] = diffConfigs({ index: { columns: ['a'], table: 't' } }, { index: { table: 't', columns: ['a'] } });
    expect(row?.changed).toBe(false);
    expect(diffConfigs({ index: null }, { index: { table: 't' } })[0]?.changed).toBe(true);
  });

  it('shows values in words', () => {
    expect(formatConfigValue(null)).toBe('none');
    expect(formatConfigValue(undefined)).toBe('—');
    expect(formatConfigValue('0 */4 * * *')).toBe('0 */4 * * *');
    expect(formatConfigValue({ columns: ['measure'] })).toBe('{"columns":["measure"]}');
  });
});
