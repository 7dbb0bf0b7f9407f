import { batchesByBytes } from './generation-deletion.js';

describe('batchesByBytes', () => {
  const sizes = (batches: number[][]): number[] => batches.map((batch) => batch.reduce((a, b) => a + b, 0));

  it('keeps every batch within the budget, in order, losing nothing', () => {
    const items = [300, 200, 500, 100, 100, 400, 50, 600];
    const batches = batchesByBytes(items, (n) => n, 1_000);
    expect(batches.flat()).toEqual(items);
    expect(Math.max(...sizes(batches))).toBeLessThanOrEqual(1_000);
    expect(batches).toEqual([[300, 200, 500], [100, 100, 400, 50], [600]]);
  });

  it('gives an item larger than the budget a batch of its own', () => {
    expect(batchesByBytes([10, 5_000, 10], (n) => n, 1_000)).toEqual([[10], [5_000], [10]]);
  });

  it('caps the number of keys per batch however small they are', () => {
    const batches = batchesByBytes(
      Array.from({ length: 1_200 }, () => 1),
      (n) => n,
      1_000_000,
    );
    expect(batches.map((b) => b.length)).toEqual([500, 500, 200]);
  });

  it('returns no batch for nothing', () => {
    expect(batchesByBytes([], () => 1, 10)).toEqual([]);
  });
});
