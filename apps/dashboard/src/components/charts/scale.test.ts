import { describe, expect, it } from 'vitest';
import { HEAT_COLOURS, heatBucket, heatColour, heatLegend, niceTicks } from './scale';

describe('heat-map colour scale', () => {
  it('keeps the lightest colour for no traffic and puts any traffic at all in a visible bucket', () => {
    expect(heatBucket(0, 500)).toBe(0);
    expect(heatBucket(null, 500)).toBe(0);
    expect(heatBucket(1, 500)).toBe(1);
    expect(heatColour(0, 500)).toBe(HEAT_COLOURS[0]);
    expect(heatColour(1, 500)).not.toBe(HEAT_COLOURS[0]);
  });

  it('splits the range up to the busiest cell into equal fifths, the busiest cell darkest', () => {
    expect([100, 101, 200, 201, 300, 400, 401, 500].map((v) => heatBucket(v, 500))).toEqual([1, 2, 2, 3, 3, 4, 5, 5]);
    expect(heatColour(500, 500)).toBe(HEAT_COLOURS[HEAT_COLOURS.length - 1]);
    // Nothing anywhere: everything is "none".
    expect(heatBucket(5, 0)).toBe(0);
  });

  it('labels each colour with the whole counts it covers, leaving out buckets no count falls in', () => {
    expect(heatLegend(500)).toEqual([
      { bucket: 0, label: 'None' },
      { bucket: 1, label: '1–100' },
      { bucket: 2, label: '101–200' },
      { bucket: 3, label: '201–300' },
      { bucket: 4, label: '301–400' },
      { bucket: 5, label: '401–500' },
    ]);
    // With a busiest hour of 3 requests: 1 → bucket 2 (ceil(1/3·5)), 2 → 4, 3 → 5.
    expect(heatLegend(3).map((entry) => entry.label)).toEqual(['None', '1', '2', '3']);
    expect([1, 2, 3].map((v) => heatBucket(v, 3))).toEqual([2, 4, 5]);
    expect(heatLegend(0)).toEqual([{ bucket: 0, label: 'None' }]);
  });
});

describe('axis ticks', () => {
  it('uses round steps from zero up to at least the largest value', () => {
    expect(niceTicks(0, 100, 4)).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0, 3.2, 4)).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(0, 0, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
