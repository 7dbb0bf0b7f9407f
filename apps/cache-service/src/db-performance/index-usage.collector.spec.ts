import { indexTypeOf, usageFigures } from './index-usage.collector.js';

const usage = {
  scans: 0,
  tuplesRead: 0,
  tuplesFetched: 0,
  sizeBytes: 50 * 1024 * 1024,
  tableWrites: 1000,
  isUnique: false,
  isPrimary: false,
  backsConstraint: false,
};

const any = { minBytes: 0, minAgeDays: 0, observedDays: 0 };

describe('index usage figures', () => {
  it('flags only large, unused, non-unique, non-primary, non-constraint indexes observed long enough for dropping', () => {
    const min = 10 * 1024 * 1024;
    const rule = { minBytes: min, minAgeDays: 7, observedDays: 30 };
    expect(usageFigures(usage, rule).isRecommendedForDrop).toBe(true);
    expect(usageFigures({ ...usage, scans: 1 }, rule).isRecommendedForDrop).toBe(false);
    expect(usageFigures({ ...usage, sizeBytes: min - 1 }, rule).isRecommendedForDrop).toBe(false);
    expect(usageFigures({ ...usage, isUnique: true }, rule).isRecommendedForDrop).toBe(false);
    expect(usageFigures({ ...usage, isPrimary: true }, rule).isRecommendedForDrop).toBe(false);
    expect(usageFigures({ ...usage, backsConstraint: true }, rule).isRecommendedForDrop).toBe(false);
    // Just built (or statistics just reset): 0 scans says nothing yet.
    expect(usageFigures(usage, { ...rule, observedDays: 0.01 }).isRecommendedForDrop).toBe(false);
    expect(usageFigures(usage, { ...rule, observedDays: 7 }).isRecommendedForDrop).toBe(true);
  });

  it('computes selectivity in [0, 1] and the maintenance cost per use', () => {
    expect(usageFigures({ ...usage, tuplesRead: 200, tuplesFetched: 50 }, any).selectivityRatio).toBe(0.25);
    expect(usageFigures({ ...usage, tuplesRead: 10, tuplesFetched: 30 }, any).selectivityRatio).toBe(1);
    expect(usageFigures(usage, any).selectivityRatio).toBe(0);
    // 50 MB × 1000 writes / (9 + 1) scans
    expect(usageFigures({ ...usage, scans: 9 }, any).maintenanceCostScore).toBe(5000);
  });

  it('names discovered indexes by access method and shape', () => {
    expect(indexTypeOf({ method: 'btree', columns: ['a'], where: null, hasExpressions: false })).toBe('BTREE');
    expect(indexTypeOf({ method: 'btree', columns: ['a', 'b'], where: null, hasExpressions: false })).toBe('COMPOSITE');
    expect(indexTypeOf({ method: 'btree', columns: ['a'], where: 'a > 1', hasExpressions: false })).toBe('PARTIAL');
    expect(indexTypeOf({ method: 'btree', columns: ['lower(a)'], where: null, hasExpressions: true })).toBe(
      'FUNCTIONAL',
    );
    expect(indexTypeOf({ method: 'gin', columns: ['tags'], where: null, hasExpressions: false })).toBe('GIN');
  });
});
