import type { ApplyIndexResult, CreateIndexStrategyRequest } from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';
import { datasourcesRoute, indexStrategy, indexUsage } from '../test-fixtures';

const BASE = '/api/admin/monitoring/indexes';

describe('indexes tab', () => {
  it('applies a strategy and says when a deferred build will happen; usage shows the drop flag', async () => {
    signInAs('operator');
    const opensAt = '2026-11-22T01:00:00.000Z';
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () => jsonResponse(200, [indexStrategy(), indexStrategy({ id: 'd1', indexName: 'revenue_facts_pkey', discovered: true, isCreated: true })]),
      [`GET ${BASE}/usage`]: () => jsonResponse(200, [indexUsage(), indexUsage({ id: 'u2', indexName: 'revenue_facts_pkey', isPrimary: true, isRecommendedForDrop: false, totalScans: 4200 })]),
      [`POST ${BASE}/index-1/apply`]: () =>
        jsonResponse(200, { status: 'deferred', windowOpensAt: opensAt, strategy: indexStrategy({ applyRequestedAt: new Date().toISOString() }) } satisfies ApplyIndexResult),
    });
    const { user } = renderApp('/indexes');

    const row = await screen.findByTestId('index-row-idx_revenue_facts_measure');
    expect(row).toHaveTextContent('Not created');
    expect(within(screen.getByTestId('discovered-indexes-table')).getByTestId('index-row-revenue_facts_pkey')).toHaveTextContent('Created');
    await user.click(within(row).getByRole('button', { name: 'Apply idx_revenue_facts_measure' }));
    expect(await screen.findByTestId('apply-result')).toHaveTextContent('idx_revenue_facts_measure will be built when its off-peak hours window opens');

    expect(await screen.findByTestId('drop-flag-idx_revenue_facts_measure')).toHaveTextContent('Drop recommended');
    expect(screen.getByTestId('drop-flag-revenue_facts_pkey')).toHaveTextContent('Keep');
    expect(screen.getByTestId('index-usage-idx_revenue_facts_measure')).toHaveTextContent('4.0 MB');
  });

  it('creates a strategy from the form and shows a 400 beside the column field', async () => {
    signInAs('admin');
    const bodies: CreateIndexStrategyRequest[] = [];
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () => jsonResponse(200, []),
      [`GET ${BASE}/usage`]: () => jsonResponse(200, []),
      [`POST ${BASE}`]: ({ body }) => {
        bodies.push(body as CreateIndexStrategyRequest);
        return jsonResponse(400, errorBody('VALIDATION_FAILED', 'Invalid index', [{ field: 'columns', messages: ['Column "nope" does not exist in demo_analytics.revenue_facts'] }]));
      },
    });
    const { user } = renderApp('/indexes');

    expect(await screen.findByTestId('no-index-strategies')).toBeInTheDocument();
    expect(await screen.findByTestId('no-index-usage')).toHaveTextContent('Collect usage now');
    await user.click(screen.getByRole('button', { name: 'New index strategy' }));
    const form = screen.getByRole('form', { name: 'New index strategy' });
    await user.selectOptions(within(form).getByLabelText('Table'), 'demo_analytics.revenue_facts');
    expect(within(form).getByText(/Columns of this table: measure, practice_id/)).toBeInTheDocument();
    await user.type(within(form).getByLabelText('Columns (comma-separated, in order)'), 'measure, nope');
    expect(within(form).getByLabelText('Index name')).toHaveValue('idx_revenue_facts_measure_nope');
    await user.click(within(form).getByRole('button', { name: 'Create strategy' }));

    expect(await within(form).findByTestId('index-columns-error')).toHaveTextContent('Column "nope" does not exist');
    expect(bodies[0]).toEqual({
      tableName: 'demo_analytics.revenue_facts',
      indexName: 'idx_revenue_facts_measure_nope',
      indexType: 'BTREE',
      columns: ['measure', 'nope'],
      whereClause: null,
      usagePattern: 'LOOKUP',
      maintenanceWindow: 'IMMEDIATE',
      scheduledAt: null,
      isMonitoring: true,
    });
  });

  it('deletes a built index only with the drop option ticked when asked to', async () => {
    signInAs('operator');
    const deletes: string[] = [];
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () => jsonResponse(200, [indexStrategy({ isCreated: true, createdInDatabaseAt: new Date().toISOString() })]),
      [`GET ${BASE}/usage`]: () => jsonResponse(200, []),
      [`DELETE ${BASE}/index-1`]: ({ url }) => {
        deletes.push(url.search);
        return new Response(null, { status: 204 });
      },
    });
    const { user } = renderApp('/indexes');

    await user.click(await screen.findByRole('button', { name: 'Delete idx_revenue_facts_measure' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByLabelText(/Also drop the index/));
    await user.click(within(dialog).getByRole('button', { name: 'Drop index and delete' }));
    await waitFor(() => expect(deletes).toEqual(['?dropIndex=true']));
  });
});
