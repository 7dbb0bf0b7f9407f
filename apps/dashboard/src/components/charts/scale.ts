/** Colours of chart series, in order; distinguishable for common colour-vision deficiencies. */
export const SERIES_COLOURS = [
  '#2457c5',
  '#d1711a',
  '#1e9e52',
  '#b42318',
  '#7b4bc4',
  '#0f8b8d',
  '#9c6b00',
  '#c2377a',
] as const;

export function seriesColour(index: number): string {
  return SERIES_COLOURS[index % SERIES_COLOURS.length]!;
}

/** "Nice" axis ticks from 0 (or min) to at least `max`: 0, 20, 40 … or 0, 0.5, 1 … */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max <= min) max = min + 1;
  const rawStep = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= rawStep) ?? 10 * magnitude;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let value = start; value < max + step / 2 && ticks.length < 50; value += step) {
    ticks.push(Number(value.toFixed(10)));
  }
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toFixed(10)));
  return ticks;
}

/** Light to dark blue: bucket 0 is "no traffic", 1–5 rise with the value. */
export const HEAT_COLOURS = ['#f1f3f6', '#dbe7fb', '#a9c5f2', '#6d9be4', '#3565c4', '#173d8a'] as const;
export const HEAT_BUCKETS = HEAT_COLOURS.length - 1;

/**
 * Which colour bucket a heat-map value falls in: 0 only for no traffic (0 or missing), else 1…5 by its
 * share of the largest value — equal fifths, so the darkest cell is the busiest and any traffic at all
 * is visibly different from none.
 */
export function heatBucket(value: number | null | undefined, max: number): number {
  if (value === null || value === undefined || !Number.isFinite(value) || value <= 0 || max <= 0) return 0;
  return Math.min(HEAT_BUCKETS, Math.max(1, Math.ceil((value / max) * HEAT_BUCKETS)));
}

export function heatColour(value: number | null | undefined, max: number): string {
  return HEAT_COLOURS[heatBucket(value, max)]!;
}

/**
 * The legend: what each colour means. For whole-number values (request counts) each bucket lists the
 * counts it holds ("1–24"); a bucket no whole number falls in (max smaller than the bucket count) is left
 * out. Bucket 0 is "None".
 */
export function heatLegend(
  max: number,
  format: (value: number) => string = String,
): Array<{ bucket: number; label: string }> {
  const legend = [{ bucket: 0, label: 'None' }];
  if (!(max > 0)) return legend;
  for (let bucket = 1; bucket <= HEAT_BUCKETS; bucket += 1) {
    const from = Math.floor(((bucket - 1) / HEAT_BUCKETS) * max) + 1;
    const to = Math.floor((bucket / HEAT_BUCKETS) * max);
    if (from > to) continue;
    legend.push({ bucket, label: from === to ? format(from) : `${format(from)}–${format(to)}` });
  }
  return legend;
}
