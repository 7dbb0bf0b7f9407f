import './charts.css';
import { useId } from 'react';
import { heatBucket, heatColour, heatLegend, HEAT_COLOURS } from './scale';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export interface HeatMapRow {
  id: string;
  label: string;
  /** One value per column; null = no data. */
  values: Array<number | null>;
}

interface HeatMapProps {
  title: string;
  description: string;
  columns: string[];
  rows: HeatMapRow[];
  /** For tooltips: 120 → "120 requests". */
  formatValue: (value: number) => string;
  /** Legend caption, e.g. "Requests per hour". */
  legendLabel: string;
  testId?: string;
}

const CELL_W = 26;
const CELL_H = 22;
const LABEL_W = 190;
const HEADER_H = 22;

/** A grid of rows × columns coloured by value, with the colour scale as a legend below. */
export function HeatMap({ title, description, columns, rows, formatValue, legendLabel, testId }: HeatMapProps) {
  const titleId = useId();
  const descId = useId();
  const max = Math.max(0, ...rows.flatMap((row) => row.values.map((v) => v ?? 0)));
  const width = LABEL_W + columns.length * CELL_W + 4;
  const height = HEADER_H + rows.length * CELL_H + 4;
  const legend = heatLegend(max, (value) => integer.format(value));

  return (
    <figure className="chart" data-testid={testId}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        className="chart-svg heatmap-svg"
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>
          {description} Highest: {max > 0 ? formatValue(max) : 'none'}; every value is in the table that follows.
        </desc>
        {columns.map((column, c) =>
          c % 2 === 0 ? (
            <text
              key={column}
              x={LABEL_W + c * CELL_W + CELL_W / 2}
              y={HEADER_H - 7}
              className="chart-tick"
              textAnchor="middle"
            >
              {column}
            </text>
          ) : null,
        )}
        {rows.map((row, r) => (
          <g key={row.id} data-row={row.label}>
            <text
              x={LABEL_W - 8}
              y={HEADER_H + r * CELL_H + CELL_H / 2}
              className="chart-tick"
              textAnchor="end"
              dominantBaseline="middle"
            >
              {row.label.length > 28 ? `${row.label.slice(0, 27)}…` : row.label}
            </text>
            {row.values.map((value, c) => (
              <rect
                key={c}
                x={LABEL_W + c * CELL_W + 1}
                y={HEADER_H + r * CELL_H + 1}
                width={CELL_W - 2}
                height={CELL_H - 2}
                rx={3}
                fill={heatColour(value, max)}
                data-bucket={heatBucket(value, max)}
              >
                <title>{`${row.label} · ${columns[c]}: ${value === null ? 'no data' : formatValue(value)}`}</title>
              </rect>
            ))}
          </g>
        ))}
      </svg>
      {/* A table ignores width and overflow: it is hidden inside a block, or it would widen the page. */}
      <div className="visually-hidden">
        <table data-testid="chart-data">
          <caption>{title}</caption>
          <thead>
            <tr>
              <td />
              {columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id}>
                <th scope="row">{row.label}</th>
                {row.values.map((value, c) => (
                  <td key={c}>{value === null ? 'no data' : formatValue(value)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figcaption>
        <ul className="chart-legend heat-legend" aria-label={`${title} colour scale`}>
          <li className="heat-legend-caption">{legendLabel}:</li>
          {legend.map(({ bucket, label }) => (
            <li key={bucket} data-testid={`heat-legend-${bucket}`}>
              <span
                className="chart-swatch heat-swatch"
                style={{ background: HEAT_COLOURS[bucket] }}
                aria-hidden="true"
              />
              {label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
