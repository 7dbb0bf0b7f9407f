import type { AlertEvaluationResult, CacheAlert } from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';
import { alert, datasourcesRoute, paged } from '../test-fixtures';

const BASE = '/api/admin/monitoring/alerts';

function alertRoutes(alerts: CacheAlert[]) {
  return {
    ...datasourcesRoute,
    [`GET ${BASE}`]: ({ url }: { url: URL }) =>
      jsonResponse(200, paged(alerts.filter((a) => a.alertStatus === url.searchParams.get('status')))),
  };
}

describe('alerts tab', () => {
  it('lists active alerts before acknowledged ones, and resolved ones in the history', async () => {
    signInAs('viewer');
    mockApi(
      alertRoutes([
        alert({ id: 'ack', alertStatus: 'ACKNOWLEDGED', severity: 'WARNING', acknowledgedByName: 'ops@example.com' }),
        alert({
          id: 'active',
          alertType: 'QUERY_TIME_HIGH',
          alertContext: { direction: 'ABOVE' },
          thresholdValue: 500,
          actualValue: 812,
        }),
        alert({ id: 'old', alertStatus: 'RESOLVED' }),
      ]),
    );
    renderApp('/alerts');

    const table = await screen.findByTestId('current-alerts-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.getAttribute('data-status'))).toEqual(['ACTIVE', 'ACKNOWLEDGED']);
    expect(rows[0]).toHaveTextContent('Query time high');
    expect(rows[0]).toHaveTextContent('> 500');
    expect(rows[1]).toHaveTextContent('by ops@example.com');
    expect(screen.getByTestId('current-counts')).toHaveTextContent('1 active · 1 acknowledged');
    expect(await screen.findByTestId('resolved-alerts-table')).toHaveTextContent('Resolved');
    // A viewer sees them but cannot act on them.
    expect(screen.queryByRole('button', { name: /Acknowledge/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Evaluate now' })).not.toBeInTheDocument();
  });

  it('acknowledges only with a comment, which the server receives', async () => {
    signInAs('operator');
    const bodies: unknown[] = [];
    mockApi({
      ...alertRoutes([alert()]),
      [`POST ${BASE}/alert-1/acknowledge`]: ({ body }) => {
        bodies.push(body);
        return jsonResponse(200, alert({ alertStatus: 'ACKNOWLEDGED' }));
      },
    });
    const { user } = renderApp('/alerts');

    await user.click(await screen.findByRole('button', { name: 'Acknowledge Hit rate low on Revenue Analytics' }));
    const dialog = screen.getByRole('dialog', { name: 'Acknowledge alert: Hit rate low on DS #1: Revenue Analytics' });
    const confirm = within(dialog).getByRole('button', { name: 'Acknowledge' });
    expect(confirm).toBeDisabled();
    const comment = within(dialog).getByLabelText('Comment (required)');
    expect(comment).toHaveFocus();
    await user.type(comment, '   ');
    expect(confirm).toBeDisabled();
    await user.type(comment, 'Warming it now');
    expect(confirm).toBeEnabled();
    await user.click(confirm);

    await waitFor(() => expect(bodies).toEqual([{ comment: 'Warming it now' }]));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findByText('Alert acknowledged.')).toBeInTheDocument();
  });

  it('resolves with an optional comment and keeps the dialog open with the server message on a conflict', async () => {
    signInAs('operator');
    mockApi({
      ...alertRoutes([alert()]),
      [`POST ${BASE}/alert-1/resolve`]: () =>
        jsonResponse(409, errorBody('CONFLICT', 'Alert alert-1 is already resolved')),
    });
    const { user } = renderApp('/alerts');

    await user.click(await screen.findByRole('button', { name: 'Resolve Hit rate low on Revenue Analytics' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Resolve' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Alert alert-1 is already resolved');
  });

  it('refreshes the list after a 409, so a row resolved meanwhile loses its buttons', async () => {
    signInAs('operator');
    const current = alert();
    mockApi({
      ...alertRoutes([current]),
      [`POST ${BASE}/alert-1/resolve`]: () => {
        // The evaluator resolved it a moment ago.
        current.alertStatus = 'RESOLVED';
        return jsonResponse(409, errorBody('CONFLICT', 'Alert alert-1 is already RESOLVED'));
      },
    });
    const { user } = renderApp('/alerts');

    await user.click(await screen.findByRole('button', { name: 'Resolve Hit rate low on Revenue Analytics' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Resolve' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('already RESOLVED');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByTestId('no-current-alerts')).toBeInTheDocument();
    expect(await screen.findByTestId('resolved-alerts-table')).toHaveTextContent('Hit rate low');
    expect(screen.queryByRole('button', { name: /^(Resolve|Acknowledge) / })).not.toBeInTheDocument();
  });

  it('gives actual and threshold values in the metric’s unit', async () => {
    signInAs('viewer');
    const tableSize = alert({
      id: 'size',
      alertType: 'TABLE_SIZE_HIGH',
      datasourceId: null,
      datasourceName: null,
      alertContext: { direction: 'ABOVE', unit: 'BYTES' },
      thresholdValue: 1_073_741_824,
      actualValue: 1_610_612_736,
    });
    const slow = alert({
      id: 'slow',
      alertType: 'QUERY_TIME_HIGH',
      alertContext: null,
      thresholdValue: 500,
      actualValue: 812.5,
    });
    mockApi({ ...alertRoutes([alert(), tableSize, slow]), [`GET ${BASE}/size`]: () => jsonResponse(200, tableSize) });
    const { user } = renderApp('/alerts');

    const hitRate = await screen.findByTestId('alert-row-alert-1');
    expect(hitRate).toHaveTextContent('42%');
    expect(hitRate).toHaveTextContent('< 50%');
    expect(screen.getByTestId('alert-row-size')).toHaveTextContent('1.5 GB');
    expect(screen.getByTestId('alert-row-size')).toHaveTextContent('> 1.0 GB');
    // Without a recorded unit, the alert type's metric says it.
    expect(screen.getByTestId('alert-row-slow')).toHaveTextContent('812.5 ms');
    expect(screen.getByTestId('alert-row-slow')).toHaveTextContent('500 ms');

    await user.click(screen.getByRole('button', { name: 'Details of Table size high' }));
    expect(screen.getByTestId('alert-row-size')).toHaveAttribute('aria-current', 'true');
    const details = await screen.findByTestId('alert-details');
    await waitFor(() =>
      expect(details).toHaveTextContent('1.5 GB (1,610,612,736 bytes) / 1.0 GB (1,073,741,824 bytes)'),
    );
  });

  it('says when the current alerts are more than one page', async () => {
    signInAs('viewer');
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: ({ url }: { url: URL }) =>
        jsonResponse(
          200,
          url.searchParams.get('status') === 'ACTIVE' ? { ...paged([alert()]), total: 140 } : paged([]),
        ),
    });
    renderApp('/alerts');

    expect(await screen.findByTestId('current-truncated')).toHaveTextContent('Showing 1 of 140 active alerts');
  });

  it("shows the selected alert's timeline with the acknowledgement comment", async () => {
    signInAs('viewer');
    const acknowledged = alert({
      alertStatus: 'ACKNOWLEDGED',
      acknowledgedBy: 'user-ops',
      acknowledgedByName: 'ops@example.com',
      acknowledgementComment: 'Warming it now',
      history: [
        {
          at: '2026-11-21T06:00:00.000Z',
          event: 'FIRED',
          severity: 'WARNING',
          actualValue: 70,
          by: null,
          comment: null,
        },
        {
          at: '2026-11-21T06:05:00.000Z',
          event: 'ESCALATED',
          severity: 'CRITICAL',
          actualValue: 42,
          by: null,
          comment: null,
        },
        {
          at: '2026-11-21T06:07:00.000Z',
          event: 'ACKNOWLEDGED',
          severity: 'CRITICAL',
          actualValue: null,
          by: 'user-ops',
          comment: 'Warming it now',
        },
      ],
    });
    mockApi({ ...alertRoutes([acknowledged]), [`GET ${BASE}/alert-1`]: () => jsonResponse(200, acknowledged) });
    const { user } = renderApp('/alerts');

    await user.click(await screen.findByRole('button', { name: 'Details of Hit rate low on Revenue Analytics' }));
    const timeline = await screen.findByTestId('alert-timeline');
    const events = within(timeline).getAllByRole('listitem');
    expect(events.map((item) => item.querySelector('strong')?.textContent)).toEqual([
      'Fired',
      'Escalated',
      'Acknowledged',
    ]);
    expect(events[2]).toHaveTextContent('by ops@example.com');
    expect(events[2]).toHaveTextContent('“Warming it now”');
    expect(screen.getByTestId('location')).toHaveTextContent('/alerts');
  });

  it('evaluates on demand and says what changed', async () => {
    signInAs('admin');
    const result: AlertEvaluationResult = {
      evaluatedAt: new Date().toISOString(),
      thresholdsEvaluated: 3,
      fired: 1,
      escalated: 0,
      deescalated: 0,
      resolved: 2,
      notificationsQueued: 3,
      ran: true,
    };
    mockApi({ ...alertRoutes([]), [`POST ${BASE}/evaluate`]: () => jsonResponse(200, result) });
    const { user } = renderApp('/alerts');

    expect(await screen.findByTestId('no-current-alerts')).toHaveTextContent('No open alerts');
    await user.click(screen.getByRole('button', { name: 'Evaluate now' }));
    expect(await screen.findByTestId('evaluation-result')).toHaveTextContent(
      'Evaluated 3 thresholds: 1 fired, 0 escalated, 0 de-escalated, 2 resolved.',
    );
  });
});
