import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { datasource } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';

const list = [
  datasource(),
  datasource({ id: 3, name: 'Operational Metrics', stalenessTtlSeconds: 5_400, warmSchedule: null, enabled: false }),
];

describe('datasources list', () => {
  it('lists datasources with human-readable durations', async () => {
    signInAs('operator');
    mockApi({ 'GET /api/admin/datasources': () => jsonResponse(200, list) });
    renderApp('/datasources');

    const table = await screen.findByTestId('datasources-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Revenue Analytics');
    expect(rows[0]).toHaveTextContent('demo_analytics.revenue_facts');
    expect(rows[0]).toHaveTextContent('4 h');
    expect(rows[0]).toHaveTextContent('5 min');
    expect(rows[0]).toHaveTextContent('0 */4 * * *');
    expect(rows[1]).toHaveTextContent('1 h 30 min');
    expect(rows[1]).toHaveTextContent('Manual');
    expect(rows[1]).toHaveTextContent('Disabled');
  });

  it('offers edit and create actions to users who may write settings', async () => {
    signInAs('operator');
    mockApi({ 'GET /api/admin/datasources': () => jsonResponse(200, list) });
    renderApp('/datasources');

    expect(await screen.findByRole('link', { name: 'Edit Revenue Analytics' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'New datasource' })).toBeInTheDocument();
  });

  it('shows a viewer no edit or create actions', async () => {
    signInAs('viewer');
    mockApi({ 'GET /api/admin/datasources': () => jsonResponse(200, list) });
    renderApp('/datasources');

    expect(await screen.findByRole('link', { name: 'Revenue Analytics' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^Edit/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'New datasource' })).not.toBeInTheDocument();
  });
});
