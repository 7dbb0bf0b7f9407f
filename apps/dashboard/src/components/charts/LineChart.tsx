import './charts.css';
import { useId } from 'react';
import { niceTicks, seriesColour } from './scale';

export interface ChartPoint {
  /** Epoch milliseconds. */
  x: number;
  /** null: no data at that time (the line breaks). */
  y: number | null;
}

export interface ChartSeries {
  id: string;
  label: string;
  points: ChartPoint[];
}

interface LineChartProps {
  title: string;
  /** Read by screen readers: what the chart shows in words. */
  description: string;
  series: ChartSeries[];
  yLabel: string;
  formatY: (value: number) => string;
  formatX: (epochMs: number) => string;
  /** Fixed upper bound (100 for percentages); else from the data. */
  yMax?: number;
  testId?: string;
}

const WIDTH = 600;
const HEIGHT = 250;
const MARGIN = { top: 12, right: 14, bottom: 34, left: 58 };

/** A small SVG line chart: axes with ticks, one line per series (breaking on gaps), a legend. */
export function LineChart({ title, description, series, yLabel, formatY, formatX, yMax, testId }: LineChartProps) {
  const titleId = useId();
  const descId = useId();
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yTicks = niceTicks(0, yMax ?? Math.max(...ys, 0), 4);
  const yTop = yMax ?? yTicks[yTicks.length - 1]!;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xSpan = xMax > xMin ? xMax - xMin : 1;
  const px = (x: number) => MARGIN.left + (xs.length > 1 && xMax > xMin ? ((x - xMin) / xSpan) * plotW : plotW / 2);
  const py = (y: number) => MARGIN.top + plotH - (Math.min(y, yTop) / (yTop || 1)) * plotH;
  const xTickCount = Math.min(4, new Set(xs).size);
  const xTicks =
    xTickCount <= 1 ? [xMin] : Array.from({ length: xTickCount }, (_, i) => xMin + (i / (xTickCount - 1)) * xSpan);
  const summary =
    ys.length > 0
      ? ` ${ys.length} value${ys.length === 1 ? '' : 's'} from ${formatX(xMin)} to ${formatX(xMax)}, between ${formatY(Math.min(...ys))} and ${formatY(Math.max(...ys))}; every value is in the table that follows.`
      : ' No values.';

  return (
    <figure className="chart" data-testid={testId}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${titleId} ${descId}`} className="chart-svg">
        <title id={titleId}>{title}</title>
        <desc id={descId}>
          {description}
          {summary}
        </desc>
        {yTicks.map((tick) => (
          <g key={tick}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={py(tick)} y2={py(tick)} className="chart-gridline" />
            <text x={MARGIN.left - 6} y={py(tick)} className="chart-tick" textAnchor="end" dominantBaseline="middle">
              {formatY(tick)}
            </text>
          </g>
        ))}
        <text
          className="chart-axis-label"
          transform={`translate(12 ${MARGIN.top + plotH / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          {yLabel}
        </text>
        <line
          x1={MARGIN.left}
          x2={WIDTH - MARGIN.right}
          y1={MARGIN.top + plotH}
          y2={MARGIN.top + plotH}
          className="chart-axis"
        />
        {xs.length > 0 &&
          xTicks.map((tick, i) => (
            <text
              key={i}
              x={px(tick)}
              y={HEIGHT - MARGIN.bottom + 18}
              className="chart-tick"
              // The outermost labels stay inside the chart.
              textAnchor={
                xTicks.length > 1 && i === 0 ? 'start' : xTicks.length > 1 && i === xTicks.length - 1 ? 'end' : 'middle'
              }
            >
              {formatX(tick)}
            </text>
          ))}
        {series.map((s, index) => {
          const colour = seriesColour(index);
          const segments: ChartPoint[][] = [];
          let current: ChartPoint[] = [];
          for (const point of [...s.points].sort((a, b) => a.x - b.x)) {
            if (point.y === null) {
              if (current.length) segments.push(current);
              current = [];
            } else current.push(point);
          }
          if (current.length) segments.push(current);
          return (
            <g key={s.id} data-series={s.label}>
              {segments.map((segment, i) => (
                <polyline
                  key={i}
                  fill="none"
                  stroke={colour}
                  strokeWidth={2}
                  points={segment.map((p) => `${px(p.x).toFixed(1)},${py(p.y!).toFixed(1)}`).join(' ')}
                />
              ))}
              {segments.flat().map((p, i, all) => (
                // A lone point (one hour of traffic) is drawn larger, since no line leads to it.
                <circle key={i} cx={px(p.x)} cy={py(p.y!)} r={all.length === 1 ? 4.5 : 2.5} fill={colour}>
                  <title>{`${s.label} · ${formatX(p.x)}: ${formatY(p.y!)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <ChartDataTable title={title} series={series} yLabel={yLabel} formatX={formatX} formatY={formatY} />
      <figcaption>
        <ul className="chart-legend" aria-label={`${title} legend`}>
          {series.map((s, index) => (
            <li key={s.id}>
              <span className="chart-swatch" style={{ background: seriesColour(index) }} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/**
 * The chart's figures for screen readers (the SVG is one image to them, so the points' tooltips are not
 * read): a row per time, a column per series.
 */
function ChartDataTable({
  title,
  series,
  yLabel,
  formatX,
  formatY,
}: Pick<LineChartProps, 'title' | 'series' | 'yLabel' | 'formatX' | 'formatY'>) {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  // Points of one series at the same time (executions in the same millisecond) share a cell.
  const values = series.map((s) => {
    const byX = new Map<number, number[]>();
    for (const p of s.points) if (p.y !== null) byX.set(p.x, [...(byX.get(p.x) ?? []), p.y]);
    return byX;
  });
  return (
    // A table ignores width and overflow: it is hidden inside a block, or it would widen the page.
    <div className="visually-hidden">
      <table data-testid="chart-data">
        <caption>
          {title} ({yLabel})
        </caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {series.map((s) => (
              <th key={s.id} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {times.map((x) => (
            <tr key={x}>
              <th scope="row">{formatX(x)}</th>
              {values.map((byX, i) => {
                const ys = byX.get(x);
                return <td key={series[i]!.id}>{ys ? ys.map(formatY).join(', ') : 'no data'}</td>;
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
