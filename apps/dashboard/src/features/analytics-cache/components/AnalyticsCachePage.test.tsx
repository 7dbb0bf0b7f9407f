import type { SelectiveInvalidateRequest, WarmRequest, WarmResponse } from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, renderApp, signInAs } from '../../../test/render';
import { alert, paged } from '../../monitoring/test-fixtures';
import { clinical, metrics, mockCacheApi, operational, stats } from '../test-fixtures';

describe('analytics cache tab', () => {
  it('shows the summary and a card per datasource with its health and numbers', async () => {
    signInAs('viewer');
    mockCacheApi();
    renderApp('/cache');

    expect(await screen.findByRole('heading', { name: 'Overview' })).toBeInTheDocument();
    expect(await screen.findByTestId('summary-warm')).toHaveTextContent('2 / 3Warm');
    expect(screen.getByTestId('summary-entries')).toHaveTextContent('20.7kEntries');
    expect(screen.getByTestId('summary-memory')).toHaveTextContent('73.9 MBMemory');
    expect(screen.getByTestId('summary-hit-rate')).toHaveTextContent('98.5%Hit rate (last 15 min)');

    const cards = screen.getAllByTestId(/^ds-card-/);
    expect(cards.map((card) => within(card).getByRole('heading').textContent)).toEqual([
      'DS #1: Revenue Analytics',
      'DS #3: Operational Metrics',
      'DS #5: Clinical Data',
    ]);

    const rev = screen.getByTestId('ds-card-1');
    expect(within(rev).getByTestId('ds-health-1')).toHaveTextContent('Excellent');
    expect(rev).toHaveTextContent('Last warmed: 1 hour ago');
    expect(rev).toHaveTextContent('12,458 entries • 45.2 MB • 4 measures • 8 practices');
    expect(rev).toHaveTextContent('Hit rate (last 15 min): 99.2%');
    expect(rev).toHaveTextContent('Avg query since the last warm: 2.1 ms');

    const ops = screen.getByTestId('ds-card-3');
    expect(within(ops).getByTestId('ds-health-3')).toHaveTextContent('Stale');
    expect(await within(ops).findByText(/\(TTL: 4 h\)/)).toBeInTheDocument();
    expect(ops).toHaveTextContent('Last warmed: 6 hours ago');
    expect(within(ops).getByRole('list', { name: /Warnings/ })).toHaveTextContent(
      'Cache is older than its staleness TTL',
    );

    const cold = screen.getByTestId('ds-card-5');
    expect(within(cold).getByTestId('ds-health-5')).toHaveTextContent('Cold');
    expect(cold).toHaveTextContent('Never warmed');
    expect(cold).toHaveTextContent('No cache entries');
    expect(within(cold).getByTestId('hit-rate-5')).toHaveTextContent(/^no traffic$/);

    expect(within(rev).getByRole('link', { name: 'Details of Revenue Analytics' })).toHaveAttribute('href', '/cache/1');
  });

  it('lets open alerts overrule an excellent health: the card, the overall verdict and the navigation say so', async () => {
    signInAs('viewer');
    const open = [
      alert({
        id: 'a1',
        datasourceId: 1,
        severity: 'CRITICAL',
        alertType: 'HIT_RATE_LOW',
        alertMessage: 'Hit rate of Revenue Analytics (last 15 min) is 0% (critical below 50%)',
      }),
      alert({ id: 'a2', datasourceId: 1, severity: 'WARNING', alertType: 'CACHE_STALE', alertStatus: 'ACKNOWLEDGED' }),
    ];
    mockCacheApi({
      'GET /api/admin/analytics/cache/health': () =>
        jsonResponse(200, { overall: 'excellent', issues: [], recommendations: [] }),
      'GET /api/admin/monitoring/alerts': ({ url }) => {
        const items = open.filter((a) => a.alertStatus === url.searchParams.get('status'));
        return jsonResponse(200, paged(items, 1, 100));
      },
    });
    renderApp('/cache');

    const panel = await screen.findByTestId('cache-health');
    await waitFor(() => expect(within(panel).getByTestId('overall-health')).toHaveTextContent('Critical'));
    expect(within(panel).getByTestId('overall-health-reason')).toHaveTextContent(
      'Critical — 2 open alerts: Hit rate low (critical), Cache stale (warning)',
    );
    expect(panel).not.toHaveTextContent('No issues found');
    expect(within(panel).getByRole('list', { name: 'Open alerts' })).toHaveTextContent(
      'Hit rate of Revenue Analytics (last 15 min) is 0% (critical below 50%)',
    );

    const rev = screen.getByTestId('ds-card-1');
    expect(within(rev).getByTestId('ds-health-1')).toHaveTextContent('Critical');
    expect(within(rev).getByTestId('ds-health-reason-1')).toHaveTextContent('2 open alerts');
    expect(within(screen.getByTestId('ds-card-3')).getByTestId('ds-health-3')).toHaveTextContent('Stale');

    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Alerts (2 open alerts)' })).toBeInTheDocument();
  });

  it('shows the overall health with each issue and its recommendation', async () => {
    signInAs('viewer');
    mockCacheApi();
    renderApp('/cache');

    const panel = await screen.findByTestId('cache-health');
    expect(await within(panel).findByTestId('overall-health')).toHaveTextContent('Degraded');
    expect(panel).toHaveTextContent('DS #3: Operational Metrics: Cache is 6 hours old (TTL 4 hours)');
    expect(panel).toHaveTextContent('Recommendation: Refresh the cache or schedule auto-warming');
    expect(within(panel).getByTestId('health-recommendations')).toHaveTextContent(
      'Schedule auto-warming for Operational Metrics',
    );
  });

  it('asks for confirmation before invalidating, then shows what the service deleted', async () => {
    signInAs('operator');
    let current = stats();
    const bodies: SelectiveInvalidateRequest[] = [];
    mockCacheApi({
      'GET /api/admin/analytics/cache/stats': () => jsonResponse(200, current),
      'POST /api/admin/analytics/cache/invalidate': ({ body }) => {
        bodies.push(body as SelectiveInvalidateRequest);
        current = stats([
          metrics({ ...clinical, datasourceId: 1, datasourceName: 'Revenue Analytics' }),
          operational,
          clinical,
        ]);
        return jsonResponse(200, { keysDeleted: 12_458, indexesDeleted: 87, memoryFreedMB: 45.2 });
      },
    });
    const { user } = renderApp('/cache');

    // Backing out sends nothing.
    await user.click(await screen.findByRole('button', { name: 'Invalidate Revenue Analytics' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(bodies).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Invalidate Revenue Analytics' }));
    const dialog = screen.getByRole('dialog', { name: 'Invalidate DS #1: Revenue Analytics?' });
    expect(within(dialog).getByTestId('invalidate-summary')).toHaveTextContent(
      '12,458 cache entries87 secondary indexesabout 45.2 MB of memory',
    );
    expect(bodies).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Invalidate' }));

    expect(await screen.findByText(/Invalidated DS #1: Revenue Analytics/)).toHaveTextContent(
      'Invalidated DS #1: Revenue Analytics: 12,458 keys and 87 indexes deleted, 45.2 MB freed.',
    );
    expect(bodies).toEqual([{ datasourceId: 1 }]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    // The statistics are reloaded: the card is cold now.
    await waitFor(() => expect(screen.getByTestId('ds-health-1')).toHaveTextContent('Cold'));
    expect(screen.getByTestId('ds-card-1')).toHaveTextContent('Never warmed');
  });

  it('keeps the dialog open with a clear message when invalidation is rate-limited', async () => {
    signInAs('operator');
    mockCacheApi({
      'POST /api/admin/analytics/cache/invalidate': () =>
        new Response(JSON.stringify(errorBody('RATE_LIMITED', 'Too many requests: rate limit exceeded, retry later')), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '1800' },
        }),
    });
    const { user } = renderApp('/cache');

    await user.click(await screen.findByRole('button', { name: 'Invalidate Operational Metrics' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Invalidate' }));

    expect(await within(screen.getByRole('dialog')).findByRole('alert')).toHaveTextContent(
      'Rate limit reached: you can make 20 invalidations per hour. Try again in 30 minutes.',
    );
  });

  it('shows what a warm request did for each datasource', async () => {
    signInAs('operator');
    const bodies: WarmRequest[] = [];
    const response: WarmResponse = {
      jobId: 'job-9',
      datasourcesQueued: [5],
      estimatedDuration: 45,
      results: [
        { datasourceId: 1, status: 'already_warming', jobId: 'job-8' },
        {
          datasourceId: 3,
          status: 'skipped',
          jobId: null,
          reason: 'Warmed 2 minutes ago; minimum interval is 5 minutes',
        },
        { datasourceId: 5, status: 'queued', jobId: 'job-9' },
      ],
    };
    mockCacheApi({
      'POST /api/admin/analytics/cache/warm': ({ body }) => {
        bodies.push(body as WarmRequest);
        return jsonResponse(202, response);
      },
    });
    const { user } = renderApp('/cache');

    await user.click(await screen.findByRole('button', { name: 'Warm All' }));

    const results = await screen.findByTestId('warm-results');
    expect(results).toHaveTextContent('Warming queued for 1 datasource (about 45 seconds).');
    expect(within(results).getByTestId('warm-result-1')).toHaveTextContent('DS #1: Revenue Analytics: Already warming');
    expect(within(results).getByTestId('warm-result-3')).toHaveTextContent(
      'DS #3: Operational Metrics: Skipped — Warmed 2 minutes ago; minimum interval is 5 minutes',
    );
    expect(within(results).getByTestId('warm-result-5')).toHaveTextContent('DS #5: Clinical Data: Queued');
    expect(bodies).toEqual([{}]);

    // Refresh re-warms a warm datasource regardless of the minimum interval; Warm Now does not force.
    await user.click(screen.getByRole('button', { name: 'Refresh Revenue Analytics' }));
    await user.click(screen.getByRole('button', { name: 'Warm now: Clinical Data' }));
    await waitFor(() => expect(bodies).toHaveLength(3));
    expect(bodies.slice(1)).toEqual([
      { datasourceId: 1, force: true },
      { datasourceId: 5, force: false },
    ]);
  });

  it('says how long to wait when warming is rate-limited', async () => {
    signInAs('operator');
    mockCacheApi({
      'POST /api/admin/analytics/cache/warm': () =>
        new Response(JSON.stringify(errorBody('RATE_LIMITED', 'Too many requests: rate limit exceeded, retry later')), {
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '754' },
        }),
    });
    const { user } = renderApp('/cache');

    await user.click(await screen.findByRole('button', { name: 'Refresh Revenue Analytics' }));

    expect(await screen.findByTestId('warm-error')).toHaveTextContent(
      'Rate limit reached: you can make 10 warm requests per hour. Try again in 12 minutes 34 seconds.',
    );
  });

  it('shows the live progress of a datasource being warmed on its card', async () => {
    signInAs('operator');
    mockCacheApi({
      'GET /api/admin/analytics/cache/warming/status': () =>
        jsonResponse(200, {
          activeJobs: [
            {
              jobId: 'job-7',
              datasourceId: 5,
              datasourceName: 'Clinical Data',
              startedAt: new Date().toISOString(),
              progress: 35,
              rowsProcessed: 42_123,
              rowsTotal: 120_456,
              etaSeconds: 75,
              status: 'RUNNING',
            },
          ],
          recentJobs: [],
        }),
    });
    renderApp('/cache');

    const card = await screen.findByTestId('ds-card-5');
    const bar = await within(card).findByRole('progressbar', { name: 'Warming progress of DS #5: Clinical Data' });
    expect(bar).toHaveAttribute('aria-valuenow', '35');
    expect(within(card).getByRole('button', { name: 'Warm now: Clinical Data' })).toBeDisabled();
  });

  it('shows a viewer the cache without any write action', async () => {
    signInAs('viewer');
    mockCacheApi();
    renderApp('/cache');

    const card = await screen.findByTestId('ds-card-1');
    expect(within(card).getByRole('link', { name: 'Details of Revenue Analytics' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Warm All' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^(Refresh|Invalidate|Warm) / })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^Configure/ })).not.toBeInTheDocument();
  });
});
