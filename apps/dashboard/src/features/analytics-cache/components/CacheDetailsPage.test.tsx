import type { SelectiveInvalidateRequest } from '@ccc/shared-types';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, renderApp, signInAs } from '../../../test/render';
import { details, mockCacheApi } from '../test-fixtures';

describe('datasource cache details', () => {
  it('shows the metrics, live generation, entries per measure and frequency, and recent jobs', async () => {
    signInAs('viewer');
    mockCacheApi({ 'GET /api/admin/analytics/cache/datasources/1': () => jsonResponse(200, details()) });
    renderApp('/cache/1');

    expect(await screen.findByRole('heading', { level: 1, name: 'DS #1: Revenue Analytics' })).toBeInTheDocument();
    expect(screen.getByTestId('details-health')).toHaveTextContent('Excellent');
    const metrics = screen.getByTestId('details-metrics');
    expect(metrics).toHaveTextContent('Live generation7');
    expect(metrics).toHaveTextContent('Entries12,458');
    expect(metrics).toHaveTextContent('Secondary indexes87');
    expect(metrics).toHaveTextContent('Memory45.2 MB');
    expect(metrics).toHaveTextContent('FrequenciesDaily, Weekly, Monthly, Quarterly');
    expect(metrics).toHaveTextContent('Last warmed1 hour ago');

    const rows = within(screen.getByTestId('entries-table')).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      'ChargesDaily1,920',
      'ChargesMonthly1,920',
      'PaymentsMonthly1,920',
    ]);

    const jobs = within(screen.getByTestId('details-jobs-table')).getAllByRole('row').slice(1);
    expect(jobs[0]).toHaveTextContent('Completed');
    expect(jobs[0]).toHaveTextContent('245,012 / 245,012');
    expect(jobs[1]).toHaveTextContent('Failed');
    expect(jobs[1]).toHaveTextContent('Source query timed out');
    // Read-only for a viewer.
    expect(screen.queryByRole('button', { name: /Invalidate|Refresh|Warm/ })).not.toBeInTheDocument();
  });

  it('invalidates one measure and frequency after confirmation', async () => {
    signInAs('admin');
    const bodies: SelectiveInvalidateRequest[] = [];
    mockCacheApi({
      'GET /api/admin/analytics/cache/datasources/1': () => jsonResponse(200, details()),
      'POST /api/admin/analytics/cache/invalidate': ({ body }) => {
        bodies.push(body as SelectiveInvalidateRequest);
        return jsonResponse(200, { keysDeleted: 1_920, indexesDeleted: 3, memoryFreedMB: 6.9 });
      },
    });
    const { user } = renderApp('/cache/1');

    await user.click(await screen.findByRole('button', { name: 'Invalidate Charges Monthly' }));
    const dialog = screen.getByRole('dialog', { name: 'Invalidate Charges (Monthly) of DS #1: Revenue Analytics?' });
    expect(within(dialog).getByTestId('invalidate-summary')).toHaveTextContent('1,920 cache entries');
    await user.click(within(dialog).getByRole('button', { name: 'Invalidate' }));

    expect(await screen.findByText(/1,920 keys and 3 indexes deleted, 6.9 MB freed/)).toBeInTheDocument();
    expect(bodies).toEqual([{ datasourceId: 1, measure: 'Charges', frequency: 'Monthly' }]);
  });

  it('says so when the datasource does not exist', async () => {
    signInAs('viewer');
    mockCacheApi({
      'GET /api/admin/analytics/cache/datasources/99': () =>
        jsonResponse(404, errorBody('NOT_FOUND', 'Datasource 99 not found')),
    });
    renderApp('/cache/99');

    expect(await screen.findByText('Datasource #99 was not found.')).toBeInTheDocument();
  });
});
