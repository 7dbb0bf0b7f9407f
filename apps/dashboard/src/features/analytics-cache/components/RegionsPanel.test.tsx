import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, renderApp, signInAs } from '../../../test/render';
import { details, mockCacheApi, region } from '../test-fixtures';

const DETAILS = 'GET /api/admin/analytics/cache/datasources/1';
const REGIONS = 'GET /api/admin/analytics/cache/datasources/1/regions';

describe('regions on the details page', () => {
  it('shows no regions table when only the primary region is configured', async () => {
    signInAs('viewer');
    mockCacheApi({ [DETAILS]: () => jsonResponse(200, details()) });
    renderApp('/cache/1');
    expect(await screen.findByTestId('generations-panel')).toBeInTheDocument();
    expect(screen.queryByTestId('regions-panel')).not.toBeInTheDocument();
  });

  it('shows each region with its last warm result and lag; a failed region says why', async () => {
    signInAs('viewer');
    mockCacheApi({
      [DETAILS]: () => jsonResponse(200, details()),
      [REGIONS]: () =>
        jsonResponse(200, [
          region('primary'),
          region('eu'),
          region('us', {
            reachable: false,
            upToDate: false,
            lagSeconds: 600,
            lastResult: { status: 'failed', generation: null, error: 'connect ECONNREFUSED 127.0.0.1:6381' },
          }),
        ]),
    });
    renderApp('/cache/1');
    const table = await screen.findByTestId('regions-table');
    expect(within(table).getByTestId('region-lag-eu')).toHaveTextContent('up to date');
    expect(within(table).getByTestId('region-lag-us')).toHaveTextContent('unreachable');
    expect(within(table).getByTestId('region-result-us')).toHaveTextContent('ECONNREFUSED');
    expect(within(table).getByTestId('region-result-eu')).toHaveTextContent('ok');
  });
});
