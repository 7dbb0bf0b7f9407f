import type { CreateDatasourceRequest, Datasource } from '@ccc/shared-types';
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { datasource } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';

describe('new datasource page', () => {
  it('creates a datasource and opens it', async () => {
    signInAs('admin');
    let created: Datasource | undefined;
    mockApi({
      'POST /api/admin/datasources': ({ body }) => {
        created = datasource({ ...(body as CreateDatasourceRequest), id: 7 } as Partial<Datasource>);
        return jsonResponse(201, created);
      },
      'GET /api/admin/datasources/7': () => jsonResponse(200, created),
    });
    const { user } = renderApp('/datasources/new');

    await user.type(screen.getByLabelText('Name'), 'Billing');
    await user.type(screen.getByLabelText('Source table'), 'finance.billing_facts');
    for (const column of ['Measure', 'Practice', 'Provider', 'Frequency', 'Period', 'Value']) {
      await user.type(screen.getByLabelText(`${column} column`), column.toLowerCase());
    }
    await user.click(screen.getByRole('button', { name: 'Create datasource' }));

    expect(await screen.findByTestId('save-status')).toHaveTextContent('Datasource created.');
    expect(screen.getByTestId('location')).toHaveTextContent('/datasources/7');
    expect(screen.getByRole('heading', { name: 'Billing' })).toBeInTheDocument();
    expect(created).toMatchObject({
      sourceTable: 'finance.billing_facts',
      stalenessTtlSeconds: 14_400,
      warmSchedule: null,
    });
  });

  it('tells a viewer they cannot create datasources', () => {
    signInAs('viewer');
    mockApi({});
    renderApp('/datasources/new');

    expect(screen.getByText("You don't have permission to create datasources.")).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create datasource' })).not.toBeInTheDocument();
  });
});
