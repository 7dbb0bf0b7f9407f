import type { CreateThresholdRequest, UpdateThresholdRequest } from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';
import { datasourcesRoute, threshold } from '../test-fixtures';

const BASE = '/api/admin/monitoring/thresholds';

describe('thresholds tab', () => {
  it('lists thresholds with their direction and unit; a viewer cannot change them', async () => {
    signInAs('viewer');
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () =>
        jsonResponse(200, [
          threshold(),
          threshold({
            id: 't2',
            metricType: 'TABLE_SIZE',
            datasourceId: null,
            tableName: 'demo_analytics.revenue_facts',
            warningThreshold: 1_048_576,
            criticalThreshold: 4_194_304,
            thresholdUnit: 'BYTES',
            direction: 'ABOVE',
          }),
        ]),
    });
    renderApp('/thresholds');

    const hitRate = await screen.findByTestId('threshold-row-threshold-1');
    expect(hitRate).toHaveTextContent('Cache hit rate');
    expect(hitRate).toHaveTextContent('DS #1: Revenue Analytics');
    expect(hitRate).toHaveTextContent('below');
    expect(hitRate).toHaveTextContent('80%');
    expect(hitRate).toHaveTextContent('50%');
    const size = screen.getByTestId('threshold-row-t2');
    expect(size).toHaveTextContent('demo_analytics.revenue_facts');
    expect(size).toHaveTextContent('above');
    expect(size).toHaveTextContent('1.0 MB (1,048,576 bytes)');
    expect(screen.queryByRole('button', { name: 'New threshold' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Edit/ })).not.toBeInTheDocument();
  });

  it('creates a threshold: the unit follows the metric and a wrong order is caught before sending', async () => {
    signInAs('operator');
    const created: CreateThresholdRequest[] = [];
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () => jsonResponse(200, []),
      [`POST ${BASE}`]: ({ body }) => {
        created.push(body as CreateThresholdRequest);
        return jsonResponse(
          201,
          threshold({ metricType: 'QUERY_TIME', thresholdUnit: 'MILLISECONDS', direction: 'ABOVE' }),
        );
      },
    });
    const { user } = renderApp('/thresholds');

    expect(await screen.findByTestId('no-thresholds')).toHaveTextContent('No thresholds yet');
    await user.click(screen.getByRole('button', { name: 'New threshold' }));
    const form = screen.getByRole('form', { name: 'New threshold' });
    expect(within(form).getByTestId('threshold-direction')).toHaveTextContent(
      'Alerts when the value is below a level; measured in %',
    );

    await user.selectOptions(within(form).getByLabelText('Metric'), 'QUERY_TIME');
    expect(within(form).getByTestId('threshold-direction')).toHaveTextContent(
      'Alerts when the value is above a level; measured in ms',
    );
    await user.selectOptions(within(form).getByLabelText('Datasource'), '2');
    await user.type(within(form).getByLabelText('Warning: alert when above (ms)'), '500');
    await user.type(within(form).getByLabelText('Critical: alert when above (ms)'), '200');
    await user.click(within(form).getByRole('button', { name: 'Create threshold' }));
    expect(within(form).getByTestId('threshold-criticalThreshold-error')).toHaveTextContent(
      'at least the warning level (500)',
    );
    expect(within(form).getByLabelText('Critical: alert when above (ms)')).toHaveAttribute('aria-invalid', 'true');
    expect(created).toHaveLength(0);

    await user.clear(within(form).getByLabelText('Critical: alert when above (ms)'));
    await user.type(within(form).getByLabelText('Critical: alert when above (ms)'), '1000');
    await user.click(within(form).getByRole('button', { name: 'Create threshold' }));
    await waitFor(() =>
      expect(created).toEqual([
        {
          metricType: 'QUERY_TIME',
          thresholdUnit: 'MILLISECONDS',
          datasourceId: 2,
          tableName: null,
          warningThreshold: 500,
          criticalThreshold: 1000,
          alertEnabled: true,
        },
      ]),
    );
    await waitFor(() => expect(screen.queryByRole('form', { name: 'New threshold' })).not.toBeInTheDocument());
  });

  it('edits a threshold and shows the server’s 400 beside the field it names', async () => {
    signInAs('operator');
    const updates: UpdateThresholdRequest[] = [];
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: () => jsonResponse(200, [threshold()]),
      [`PATCH ${BASE}/threshold-1`]: ({ body }) => {
        updates.push(body as UpdateThresholdRequest);
        return jsonResponse(
          400,
          errorBody('VALIDATION_FAILED', 'Invalid threshold', [
            {
              field: 'criticalThreshold',
              messages: ['criticalThreshold must be at most warningThreshold for CACHE_HIT_RATIO'],
            },
          ]),
        );
      },
    });
    const { user } = renderApp('/thresholds');

    await user.click(await screen.findByRole('button', { name: 'Edit Cache hit rate (DS #1: Revenue Analytics)' }));
    const form = screen.getByRole('form', { name: 'Edit threshold' });
    expect(within(form).getByLabelText('Metric')).toBeDisabled();
    const warning = within(form).getByLabelText('Warning: alert when below (%)');
    expect(warning).toHaveValue(80);
    await user.clear(warning);
    await user.type(warning, '70');
    await user.click(within(form).getByRole('button', { name: 'Save threshold' }));

    expect(await within(form).findByTestId('threshold-criticalThreshold-error')).toHaveTextContent(
      'criticalThreshold must be at most warningThreshold for CACHE_HIT_RATIO',
    );
    expect(updates[0]).toMatchObject({ warningThreshold: 70, criticalThreshold: 50, datasourceId: 1, isActive: true });
    // Typing again clears the server's message.
    await user.type(warning, '5');
    expect(within(form).queryByTestId('threshold-criticalThreshold-error')).not.toBeInTheDocument();
  });
});
