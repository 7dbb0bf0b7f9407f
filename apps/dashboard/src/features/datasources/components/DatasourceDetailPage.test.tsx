import type { Datasource, UpdateDatasourceRequest } from '@ccc/shared-types';
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { datasource, errorBody } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';

describe('datasource edit page', () => {
  it('shows the server validation errors beside the matching fields and the message on top', async () => {
    signInAs('admin');
    mockApi({
      'GET /api/admin/datasources/1': () => jsonResponse(200, datasource()),
      'PATCH /api/admin/datasources/1': () =>
        jsonResponse(
          400,
          errorBody('VALIDATION_FAILED', 'Request validation failed', [
            { field: 'sourceTable', messages: ['table finance.nope does not exist'] },
            { field: 'columnMapping.measure', messages: ['column "nope" does not exist in the source table'] },
          ]),
        ),
    });
    const { user } = renderApp('/datasources/1');

    const table = await screen.findByLabelText('Source table');
    await user.clear(table);
    await user.type(table, 'finance.nope');
    await user.clear(screen.getByLabelText('Measure column'));
    await user.type(screen.getByLabelText('Measure column'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByTestId('form-error')).toHaveTextContent('Request validation failed');
    expect(table).toHaveAccessibleDescription(/table finance.nope does not exist/);
    expect(table).toBeInvalid();
    expect(screen.getByLabelText('Measure column')).toHaveAccessibleDescription(/does not exist in the source table/);
    expect(screen.getByLabelText('Name')).toBeValid();
    expect(screen.queryByTestId('save-status')).not.toBeInTheDocument();
  });

  it('checks the obvious mistakes before sending anything', async () => {
    signInAs('admin');
    const fetchMock = mockApi({ 'GET /api/admin/datasources/1': () => jsonResponse(200, datasource()) });
    const { user } = renderApp('/datasources/1');

    const name = await screen.findByLabelText('Name');
    await user.clear(name);
    const ttl = screen.getByLabelText('Staleness TTL (seconds)');
    await user.clear(ttl);
    await user.type(ttl, '-5');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(screen.getByTestId('form-error')).toHaveTextContent('Please correct the highlighted fields.');
    expect(name).toHaveAccessibleDescription('Name is required.');
    expect(name).toHaveFocus();
    expect(ttl).toHaveAccessibleDescription(/from 60 s to 2,592,000 s/);
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'PATCH')).toBe(false);
  });

  it("applies the service's own limits (shared with it) before sending", async () => {
    signInAs('admin');
    const fetchMock = mockApi({ 'GET /api/admin/datasources/1': () => jsonResponse(200, datasource()) });
    const { user } = renderApp('/datasources/1');

    const ttl = await screen.findByLabelText('Staleness TTL (seconds)');
    await user.clear(ttl);
    await user.type(ttl, '30');
    const table = screen.getByLabelText('Source table');
    await user.clear(table);
    await user.type(table, 'finance.billing-facts');
    const schedule = screen.getByLabelText('Warm schedule (cron)');
    await user.clear(schedule);
    await user.type(schedule, 'every tuesday');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(ttl).toHaveAccessibleDescription(/from 60 s/);
    expect(table).toHaveAccessibleDescription(/schema-qualified/);
    expect(schedule).toHaveAccessibleDescription(/5 fields/);
    expect(table).toHaveFocus();
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === 'PATCH')).toBe(false);
  });

  it('saves the changes, confirms, and the list shows them', async () => {
    signInAs('operator');
    let stored: Datasource = datasource();
    let patchBody: UpdateDatasourceRequest | undefined;
    mockApi({
      'GET /api/admin/datasources/1': () => jsonResponse(200, stored),
      'GET /api/admin/datasources': () => jsonResponse(200, [stored]),
      'PATCH /api/admin/datasources/1': ({ body }) => {
        patchBody = body as UpdateDatasourceRequest;
        stored = { ...stored, ...patchBody, updatedAt: '2025-10-02T00:00:00.000Z' } as Datasource;
        return jsonResponse(200, stored);
      },
    });
    const { user } = renderApp('/datasources/1');

    const name = await screen.findByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'Revenue Analytics v2');
    await user.clear(screen.getByLabelText('Warm schedule (cron)'));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByTestId('save-status')).toHaveTextContent('Saved');
    expect(patchBody).toMatchObject({
      name: 'Revenue Analytics v2',
      warmSchedule: null,
      stalenessTtlSeconds: 14_400,
      columnMapping: { measure: 'measure', value: 'value' },
    });
    expect(screen.getByRole('heading', { name: 'Revenue Analytics v2' })).toBeInTheDocument();

    await user.type(name, '!');
    expect(screen.queryByTestId('save-status')).not.toBeInTheDocument();

    await user.click(screen.getByRole('link', { name: '← Datasources' }));
    expect(await screen.findByRole('link', { name: 'Revenue Analytics v2' })).toBeInTheDocument();
  });

  it('switches a datasource to change detection by watermark: the column is required, then sent with the mode', async () => {
    signInAs('operator');
    let patchBody: UpdateDatasourceRequest | undefined;
    mockApi({
      'GET /api/admin/datasources/1': () => jsonResponse(200, datasource()),
      'PATCH /api/admin/datasources/1': ({ body }) => {
        patchBody = body as UpdateDatasourceRequest;
        return jsonResponse(200, { ...datasource(), ...patchBody });
      },
    });
    const { user } = renderApp('/datasources/1');

    await user.selectOptions(await screen.findByLabelText('Mode'), 'watermark');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    const column = screen.getByLabelText('Watermark column');
    expect(column).toHaveAccessibleDescription(/Watermark column is required/);
    expect(patchBody).toBeUndefined();

    await user.type(column, 'updated_at');
    await user.clear(screen.getByLabelText('Full warm every (refreshes)'));
    await user.type(screen.getByLabelText('Full warm every (refreshes)'), '12');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByTestId('save-status')).toHaveTextContent('Saved');
    expect(patchBody).toMatchObject({
      changeDetection: 'watermark',
      watermarkColumn: 'updated_at',
      fullRefreshEvery: 12,
    });
  });

  it('renders read-only for a viewer', async () => {
    signInAs('viewer');
    mockApi({ 'GET /api/admin/datasources/1': () => jsonResponse(200, datasource()) });
    renderApp('/datasources/1');

    expect(await screen.findByLabelText('Name')).toBeDisabled();
    expect(screen.getByLabelText('Name')).toHaveValue('Revenue Analytics');
    expect(screen.getByLabelText('Staleness TTL (seconds)')).toBeDisabled();
    expect(screen.queryByRole('button', { name: /save/i })).not.toBeInTheDocument();
    expect(screen.getByText('You have read-only access to datasources.')).toBeInTheDocument();
  });

  it('says so when the datasource does not exist', async () => {
    signInAs('viewer');
    mockApi({
      'GET /api/admin/datasources/99': () => jsonResponse(404, errorBody('NOT_FOUND', 'Datasource 99 not found')),
    });
    renderApp('/datasources/99');

    expect(await screen.findByText('Datasource #99 was not found.')).toBeInTheDocument();
  });
});
