import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';
import { backtestOf, datasourcesRoute, forecastOf, hourly, usagePattern } from '../test-fixtures';

const BASE = '/api/admin/monitoring';

function routes(historyDays: number) {
  const asked: URLSearchParams[] = [];
  mockApi({
    ...datasourcesRoute,
    [`GET ${BASE}/usage/hourly`]: () => jsonResponse(200, [hourly(1, 0, 10, 9, 1)]),
    [`GET ${BASE}/usage-patterns`]: () => jsonResponse(200, [usagePattern()]),
    [`GET ${BASE}/usage-patterns/1/forecast/backtest`]: ({ url }) => {
      asked.push(url.searchParams);
      return jsonResponse(200, backtestOf(1, historyDays));
    },
    [`GET ${BASE}/usage-patterns/1/forecast`]: ({ url }) => {
      asked.push(url.searchParams);
      return jsonResponse(200, forecastOf(1, historyDays));
    },
    [`GET ${BASE}/query-performance/slow`]: () => jsonResponse(200, []),
    [`GET ${BASE}/query-performance/patterns`]: () => jsonResponse(200, []),
  });
  return asked;
}

describe('demand forecast panel (Performance page)', () => {
  it('asks for a datasource, then shows forecast vs actual vs rule with both errors, and the warm for the next rise', async () => {
    signInAs('viewer');
    const asked = routes(14);
    const { user } = renderApp('/performance');
    expect(await screen.findByTestId('forecast-choose-datasource')).toHaveTextContent('Choose a datasource');

    await screen.findByRole('option', { name: /Revenue Analytics/ });
    await user.selectOptions(screen.getByLabelText('Datasource'), '1');
    const panel = await screen.findByTestId('forecast-panel');
    expect(await within(panel).findByTestId('forecast-wape')).toHaveTextContent('3%');
    expect(within(panel).getByTestId('rule-wape')).toHaveTextContent('26.7%');
    expect(within(panel).getByTestId('forecast-errors')).toHaveTextContent(
      'Holt-Winters, daily and weekly seasonality',
    );
    const chart = within(panel).getByTestId('forecast-backtest-chart');
    expect(
      within(chart).getByRole('img', { name: /Requests per hour: actual, forecast and rule/ }),
    ).toBeInTheDocument();
    expect(within(chart).getByRole('list', { name: /legend/ })).toHaveTextContent(
      'ActualForecastRule (the day before)',
    );
    // Every hour's three figures are in the table screen readers read.
    const table = within(chart).getByRole('table', { hidden: true });
    expect(within(table).getAllByRole('row', { hidden: true })).toHaveLength(1 + 48);
    expect(table).toHaveTextContent('01 Jan, 09:00100906');
    expect(await within(panel).findByTestId('forecast-plan')).toHaveTextContent(
      'Traffic is predicted to rise at 09:00 UTC on 2026-01-03: a daily warm at "30 8 * * *" (30 min ahead)',
    );
    expect(within(panel).getByTestId('forecast-next-chart')).toBeInTheDocument();
    expect(asked.map((p) => p.get('days') ?? p.get('hours')).sort()).toEqual(['48', '7']);
  });

  it('opens on the datasource of ?datasource= and explains a history too short to backtest', async () => {
    signInAs('viewer');
    routes(1);
    renderApp('/performance?datasource=1');
    expect(await screen.findByTestId('no-forecast-history')).toHaveTextContent(
      'the forecast needs at least two complete days of query traffic (it has 1)',
    );
  });
});
