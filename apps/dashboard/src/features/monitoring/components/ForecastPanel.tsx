import { useMemo } from 'react';
import { LoadError, Loading } from '../../../components/QueryStatus';
import { LineChart, type ChartSeries } from '../../../components/charts/LineChart';
import { formatDuration, formatNumber, formatPercent, hourLabel } from '../../../lib/format';
import { useForecast, useForecastBacktest } from '../hooks/useForecast';
import { FORECAST_METHOD_LABELS } from '../labels';
import { backtestSeries } from '../usage-charts';

const BACKTEST_DAYS = 7;
const FORECAST_HOURS = 48;

const dayAndHour = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});
const formatX = (ms: number) => dayAndHour.format(ms);
const formatRequests = (value: number) => formatNumber(value, 0);

/**
 * The demand forecast of one datasource: its backtest over the last week (forecast vs actual vs the old
 * "tomorrow looks like yesterday" rule, with both errors) and the next two days with the warm it asks for.
 */
export function ForecastPanel({ datasourceId }: { datasourceId: number }) {
  const backtest = useForecastBacktest(datasourceId, BACKTEST_DAYS);
  const forecast = useForecast(datasourceId, FORECAST_HOURS);
  const series = useMemo(() => (backtest.data ? backtestSeries(backtest.data) : []), [backtest.data]);
  const next = useMemo<ChartSeries[]>(
    () =>
      forecast.data
        ? [
            {
              id: 'forecast',
              label: 'Forecast',
              points: forecast.data.points.map((p) => ({ x: Date.parse(p.hour), y: p.requests })),
            },
          ]
        : [],
    [forecast.data],
  );

  return (
    // Side by side on a wide screen, like the other charts of the page.
    <div data-testid="forecast-panel" className="chart-grid">
      {backtest.isPending && <Loading label="Loading the forecast backtest…" />}
      {backtest.isError && <LoadError error={backtest.error} />}
      {backtest.data &&
        (backtest.data.days.length === 0 ? (
          <p className="card card-muted" data-testid="no-forecast-history">
            Not enough history to backtest: the forecast needs at least two complete days of query traffic (it has{' '}
            {backtest.data.historyDays}).
          </p>
        ) : (
          <div className="card">
            <h3 className="subheading">Forecast vs actual, last {backtest.data.days.length} days</h3>
            <dl className="metrics-grid" data-testid="forecast-errors">
              <div className="metric">
                <dt>Forecast error (WAPE)</dt>
                <dd data-testid="forecast-wape">{formatPercent(backtest.data.forecast.wape)}</dd>
              </div>
              <div className="metric">
                <dt>Rule error (WAPE)</dt>
                <dd data-testid="rule-wape">{formatPercent(backtest.data.rule.wape)}</dd>
              </div>
              <div className="metric">
                <dt>Forecast / rule MAE</dt>
                <dd>
                  {formatNumber(backtest.data.forecast.mae, 1)} / {formatNumber(backtest.data.rule.mae, 1)} req/h
                </dd>
              </div>
              <div className="metric">
                <dt>Model (last day)</dt>
                <dd>{FORECAST_METHOD_LABELS[backtest.data.days[backtest.data.days.length - 1]!.method]}</dd>
              </div>
            </dl>
            <p className="field-hint">
              Each day is forecast from the days before it only; the rule repeats the day before. WAPE is the absolute
              error summed over the hours, as a share of the requests (lower is better; hours without requests count).
            </p>
            <LineChart
              testId="forecast-backtest-chart"
              title="Requests per hour: actual, forecast and rule"
              description={`Query-API requests per UTC hour over the last ${backtest.data.days.length} complete days, with what the forecast and the rule predicted for each hour.`}
              series={series}
              yLabel="Requests"
              formatY={formatRequests}
              formatX={formatX}
            />
          </div>
        ))}
      {forecast.isError && <LoadError error={forecast.error} />}
      {forecast.data && forecast.data.historyDays > 0 && (
        <div className="card">
          <h3 className="subheading">Next {FORECAST_HOURS} hours</h3>
          <p data-testid="forecast-plan">
            {forecast.data.warming
              ? `Traffic is predicted to rise at ${hourLabel(forecast.data.warming.riseHour)} UTC on ${forecast.data.warming.date}: a daily warm at "${forecast.data.warming.warmSchedule}" (${formatDuration(forecast.data.warming.leadSeconds)} ahead) keeps the cache fresh for it.`
              : 'No clear peak is predicted for today or tomorrow: no warm before a rise is needed.'}{' '}
            Model: {FORECAST_METHOD_LABELS[forecast.data.model.method]}, fitted on{' '}
            {formatNumber(forecast.data.model.historyHours / 24, 0)} days
            {forecast.data.model.alpha !== null &&
              ` (α ${forecast.data.model.alpha}, γ ${forecast.data.model.gamma}${forecast.data.model.delta !== null ? `, δ ${forecast.data.model.delta}` : ''})`}
            .
          </p>
          <LineChart
            testId="forecast-next-chart"
            title="Predicted requests per hour"
            description={`Query-API requests the forecast expects per UTC hour over the next ${FORECAST_HOURS} hours.`}
            series={next}
            yLabel="Requests"
            formatY={formatRequests}
            formatX={formatX}
          />
        </div>
      )}
    </div>
  );
}
