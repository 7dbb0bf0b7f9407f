import type { QueryPatternSummary, QueryPerformanceEntry } from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';
import { backtestOf, datasourcesRoute, forecastOf, hourly, usagePattern } from '../test-fixtures';

const BASE = '/api/admin/monitoring';

const slow: QueryPerformanceEntry = {
  id: 'q1',
  queryHash: 'a'.repeat(64),
  queryPattern: 'SELECT measure, value FROM demo_analytics.revenue_facts WHERE measure = ? ORDER BY period_date',
  executionTimeMs: 812.4,
  rowsExamined: 135_168,
  rowsReturned: 2_000,
  indexesUsed: null,
  executionPlan: null,
  usedIndex: false,
  isSlowQuery: true,
  slowQueryThresholdMs: 500,
  databaseUser: 'ccc',
  applicationContext: 'cold-fallback:ds:1',
  datasourceId: 1,
  executedAt: new Date().toISOString(),
};

/** The service's own warming read, genuinely slow: listed, but its full scan is no red flag. */
const warmingRead: QueryPerformanceEntry = {
  ...slow,
  id: 'q2',
  queryHash: 'b'.repeat(64),
  queryPattern: 'COPY (SELECT measure, value FROM demo_analytics.revenue_facts ORDER BY measure) TO STDOUT',
  executionTimeMs: 95_000,
  rowsReturned: 135_168,
  slowQueryThresholdMs: 13_516.8,
  applicationContext: 'warming:ds:1',
};

const pattern: QueryPatternSummary = {
  queryHash: 'a'.repeat(64),
  queryPattern: slow.queryPattern,
  executions: 12,
  totalTimeMs: 2400,
  avgTimeMs: 200,
  maxTimeMs: 812.4,
  slowExecutions: 1,
  lastExecutedAt: new Date().toISOString(),
};

describe('performance tab', () => {
  it('charts hit rate and query time per datasource, the hour-of-day heat-map, slow queries and patterns', async () => {
    signInAs('viewer');
    const reads: Record<string, URLSearchParams[]> = { patterns: [], history: [] };
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}/usage/hourly`]: () =>
        jsonResponse(200, [
          hourly(1, 2, 100, 90, 1.5),
          hourly(1, 1, 0, 0, null),
          hourly(1, 0, 200, 196, 1.2),
          hourly(2, 1, 50, 10, 40),
        ]),
      [`GET ${BASE}/usage-patterns`]: () =>
        jsonResponse(200, [
          usagePattern(),
          usagePattern({
            id: 'p2',
            datasourceId: 2,
            datasourceName: 'Operational Metrics',
            hourlyRequests: new Array(24).fill(5),
          }),
        ]),
      [`GET ${BASE}/query-performance/slow`]: () => jsonResponse(200, [slow, warmingRead]),
      [`GET ${BASE}/query-performance/patterns`]: ({ url }) => {
        reads.patterns!.push(url.searchParams);
        return jsonResponse(200, [pattern]);
      },
      [`GET ${BASE}/usage-patterns/1/forecast/backtest`]: () => jsonResponse(200, backtestOf(1, 1)),
      [`GET ${BASE}/usage-patterns/1/forecast`]: () => jsonResponse(200, forecastOf(1, 0)),
      [`GET ${BASE}/query-performance/patterns/${pattern.queryHash}`]: ({ url }) => {
        reads.history!.push(url.searchParams);
        return jsonResponse(200, [slow, { ...slow, id: 'q2', executionTimeMs: 20 }]);
      },
    });
    const { user } = renderApp('/performance');

    const hitRate = await screen.findByTestId('hit-rate-chart');
    expect(within(hitRate).getByRole('img', { name: /Cache hit rate per hour/ })).toBeInTheDocument();
    expect(within(hitRate).getByRole('list', { name: 'Cache hit rate per hour legend' })).toHaveTextContent(
      'DS #1: Revenue AnalyticsDS #2: Operational Metrics',
    );
    // DS 1 had no requests an hour ago: its line breaks there.
    expect(hitRate.querySelectorAll('[data-series="DS #1: Revenue Analytics"] polyline')).toHaveLength(2);
    expect(screen.getByTestId('query-time-chart')).toHaveTextContent('Query time (ms)');

    const heatmap = screen.getByTestId('usage-heatmap');
    const revenue = heatmap.querySelector('[data-row="DS #1: Revenue Analytics"]')!;
    const cells = [...revenue.querySelectorAll('rect')];
    expect(cells).toHaveLength(24);
    expect(cells[3]).toHaveAttribute('data-bucket', '0');
    expect(cells[17]).toHaveAttribute('data-bucket', '5');
    expect(cells[17]!.querySelector('title')).toHaveTextContent('DS #1: Revenue Analytics · 17:00: 117 requests');
    expect(within(heatmap).getByRole('list', { name: /colour scale/ })).toHaveTextContent('None');
    expect(screen.getByTestId('usage-patterns-table')).toHaveTextContent('Peaked');

    expect(screen.getByTestId('slow-queries-table')).toHaveTextContent('812.4 ms');
    const slowRows = within(screen.getByTestId('slow-queries-table')).getAllByRole('row').slice(1);
    const coldRow = slowRows.find((row) => row.textContent?.includes('812.4 ms'))!;
    const warmingRow = slowRows.find((row) => row.textContent?.includes('COPY'))!;
    expect(coldRow).toHaveTextContent('sequential scan');
    expect(coldRow).toHaveTextContent('Cold-cache answer');
    expect(warmingRow).toHaveTextContent('Warming read (service)');
    expect(warmingRow).toHaveTextContent('full read (expected)');
    expect(warmingRow).not.toHaveTextContent('sequential scan');
    // Hours are UTC on this page, timestamps too.
    expect(screen.getByTestId('slow-queries-table')).toHaveTextContent(/\d{2}:\d{2}:\d{2} UTC/);
    // The charts' figures are in a table screen readers can read.
    expect(within(heatmap).getByRole('table', { hidden: true })).toHaveTextContent('117 requests');

    // The period and datasource filters apply to the patterns and to a pattern's history.
    await user.selectOptions(screen.getByLabelText('Period'), '168');
    await user.selectOptions(screen.getByLabelText('Datasource'), '1');
    await waitFor(() => expect(reads.patterns!.at(-1)?.get('datasourceId')).toBe('1'));
    const listed = reads.patterns!.at(-1)!;
    expect(Date.parse(listed.get('to')!) - Date.parse(listed.get('from')!)).toBe(168 * 3_600_000);
    await user.click(
      within(await screen.findByTestId('query-patterns-table')).getByRole('button', { name: /History of pattern/ }),
    );
    expect(await screen.findByTestId('pattern-history')).toHaveTextContent('Execution time');
    expect(within(screen.getByTestId('pattern-history')).getByRole('table', { hidden: true })).toHaveTextContent(
      '812.4',
    );
    const history = reads.history!.at(-1)!;
    expect([history.get('from'), history.get('to'), history.get('datasourceId')]).toEqual([
      listed.get('from'),
      listed.get('to'),
      '1',
    ]);
  });

  it('explains empty data and rolls up today on request', async () => {
    signInAs('operator');
    const rollups: unknown[] = [];
    let patterns = [] as ReturnType<typeof usagePattern>[];
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}/usage/hourly`]: () => jsonResponse(200, [hourly(1, 0, 0, 0, null)]),
      [`GET ${BASE}/usage-patterns`]: () => jsonResponse(200, patterns),
      [`POST ${BASE}/usage-patterns/rollup`]: ({ body }) => {
        rollups.push(body);
        patterns = [usagePattern()];
        return jsonResponse(200, patterns);
      },
      [`GET ${BASE}/query-performance/slow`]: () => jsonResponse(200, []),
      [`GET ${BASE}/query-performance/patterns`]: () => jsonResponse(200, []),
    });
    const { user } = renderApp('/performance');

    expect(await screen.findByTestId('no-hourly-usage')).toHaveTextContent('No query-API traffic in this period');
    const empty = await screen.findByTestId('no-usage-patterns');
    expect(empty).toHaveTextContent('No usage patterns yet — they are computed daily from query traffic');
    expect(await screen.findByTestId('no-slow-queries')).toBeInTheDocument();
    expect(await screen.findByTestId('no-query-patterns')).toBeInTheDocument();

    await user.click(within(empty).getByRole('button', { name: 'Roll up today' }));
    await waitFor(() => expect(rollups).toEqual([{ date: new Date().toISOString().slice(0, 10) }]));
    expect(await screen.findByTestId('usage-heatmap')).toBeInTheDocument();
  });
});
