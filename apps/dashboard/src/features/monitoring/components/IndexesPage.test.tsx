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
      [`GET ${BASE}`]: () =>
        jsonResponse(200, [
          indexStrategy({ latestUsage: indexUsage() }),
          indexStrategy({
            id: 'd1',
            indexName: 'revenue_facts_pkey',
            discovered: true,
            isCreated: true,
            latestUsage: indexUsage({
              id: 'u2',
              indexStrategyId: 'd1',
              indexName: 'revenue_facts_pkey',
              isPrimary: true,
              isRecommendedForDrop: false,
              totalScans: 4200,
            }),
          }),
        ]),
      [`POST ${BASE}/index-1/apply`]: () =>
        jsonResponse(200, {
          status: 'deferred',
          windowOpensAt: opensAt,
          strategy: indexStrategy({ applyRequestedAt: new Date().toISOString() }),
        } satisfies ApplyIndexResult),
    });
    const { user } = renderApp('/indexes');

    const row = await screen.findByTestId('index-row-idx_revenue_facts_measure');
    expect(row).toHaveTextContent('Not created');
    expect(
      within(screen.getByTestId('discovered-indexes-table')).getByTestId('index-row-revenue_facts_pkey'),
    ).toHaveTextContent('Created');
    await user.click(within(row).getByRole('button', { name: 'Apply idx_revenue_facts_measure' }));
    expect(await screen.findByTestId('apply-result')).toHaveTextContent(
      'idx_revenue_facts_measure will be built when its off-peak hours window opens',
    );

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
        return jsonResponse(
          400,
          errorBody('VALIDATION_FAILED', 'Invalid index', [
            { field: 'columns', messages: ['Column "nope" does not exist in demo_analytics.revenue_facts'] },
          ]),
        );
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
    // The service's rule, shared with the form: lower case only (PostgreSQL folds unquoted names).
    await user.clear(within(form).getByLabelText('Index name'));
    await user.type(within(form).getByLabelText('Index name'), 'Idx_Revenue');
    await user.click(within(form).getByRole('button', { name: 'Create strategy' }));
    expect(within(form).getByTestId('index-indexName-error')).toHaveTextContent('lower-case letters');
    expect(bodies).toHaveLength(0);
    await user.clear(within(form).getByLabelText('Index name'));
    await user.type(within(form).getByLabelText('Index name'), 'idx_revenue_facts_measure_nope');
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

  it('shows each index’s latest day (not a flag of weeks ago), with earlier days on demand', async () => {
    signInAs('viewer');
    const usageQueries: string[] = [];
    const today = new Date().toISOString().slice(0, 10);
    const earlier = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const latest = indexUsage({ id: 'today', statsDate: today, isRecommendedForDrop: false, totalScans: 812 });
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () => jsonResponse(200, [indexStrategy({ isCreated: true, latestUsage: latest })]),
      [`GET ${BASE}/usage`]: ({ url }) => {
        usageQueries.push(url.search);
        return jsonResponse(200, [latest, indexUsage({ id: 'old', statsDate: earlier, isRecommendedForDrop: true })]);
      },
    });
    const { user } = renderApp('/indexes');

    const row = await screen.findByTestId('index-usage-idx_revenue_facts_measure');
    expect(row).toHaveTextContent(today);
    expect(screen.getByTestId('drop-flag-idx_revenue_facts_measure')).toHaveTextContent('Keep');
    expect(screen.getByTestId('index-usage-table')).not.toHaveTextContent('Drop recommended');
    expect(usageQueries).toEqual([]);

    await user.click(within(row).getByRole('button', { name: 'Earlier days of idx_revenue_facts_measure' }));
    const history = await screen.findAllByTestId('index-usage-history-idx_revenue_facts_measure');
    await waitFor(() => expect(history[0]).toHaveTextContent(earlier));
    expect(history).toHaveLength(1);
    expect(history[0]).toHaveTextContent('Drop recommended');
    expect(new URLSearchParams(usageQueries[0]).get('indexStrategyId')).toBe('index-1');
  });

  it('deletes a built index by dropping it: no dead end without the drop', async () => {
    signInAs('operator');
    const deletes: string[] = [];
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () =>
        jsonResponse(200, [indexStrategy({ isCreated: true, createdInDatabaseAt: new Date().toISOString() })]),
      [`DELETE ${BASE}/index-1`]: ({ url }) => {
        deletes.push(url.search);
        return new Response(null, { status: 204 });
      },
    });
    const { user } = renderApp('/indexes');

    await user.click(await screen.findByRole('button', { name: 'Delete idx_revenue_facts_measure' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByTestId('drop-index-note')).toHaveTextContent(
      'drops idx_revenue_facts_measure from demo_analytics.revenue_facts',
    );
    expect(within(dialog).queryByRole('button', { name: 'Delete strategy' })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Drop index and delete' }));
    await waitFor(() => expect(deletes).toEqual(['?dropIndex=true']));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('offers the drop when the list was stale and the service answers 409 naming dropIndex, and refreshes the list', async () => {
    signInAs('operator');
    const deletes: string[] = [];
    let listReads = 0;
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () => {
        listReads += 1;
        return jsonResponse(200, [indexStrategy({ isCreated: listReads > 1 })]);
      },
      [`DELETE ${BASE}/index-1`]: ({ url }) => {
        deletes.push(url.search);
        if (!url.searchParams.has('dropIndex')) {
          return jsonResponse(409, {
            ...errorBody(
              'CONFLICT',
              'Index idx_revenue_facts_measure exists in PostgreSQL; repeat with dropIndex=true to drop it concurrently',
            ),
            details: { field: 'dropIndex' },
          });
        }
        return new Response(null, { status: 204 });
      },
    });
    const { user } = renderApp('/indexes');

    await user.click(await screen.findByRole('button', { name: 'Delete idx_revenue_facts_measure' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete strategy' }));
    expect(await within(dialog).findByTestId('drop-index-note')).toHaveTextContent(
      'turned out to exist in the database',
    );
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    await waitFor(() => expect(listReads).toBeGreaterThan(1));
    await user.click(within(dialog).getByRole('button', { name: 'Drop index and delete' }));
    await waitFor(() => expect(deletes).toEqual(['', '?dropIndex=true']));
  });

  it('a failed apply is shown once, beside the strategies, without a toast', async () => {
    signInAs('operator');
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () => jsonResponse(200, [indexStrategy()]),
      [`POST ${BASE}/index-1/apply`]: () =>
        jsonResponse(409, errorBody('CONFLICT', 'Another build of idx_revenue_facts_measure is running')),
    });
    const { user } = renderApp('/indexes');

    await user.click(await screen.findByRole('button', { name: 'Apply idx_revenue_facts_measure' }));
    expect(await screen.findAllByText('Another build of idx_revenue_facts_measure is running')).toHaveLength(1);
  });
});
