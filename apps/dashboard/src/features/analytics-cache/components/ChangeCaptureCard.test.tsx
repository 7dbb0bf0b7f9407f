import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, renderApp, signInAs } from '../../../test/render';
import { details, mockCacheApi } from '../test-fixtures';

const slot = {
  slotName: 'ccc_ds_1',
  slotExists: true,
  active: true,
  lagBytes: 48_000,
  maxLagBytes: 256 * 1024 * 1024,
  lastIncident: null,
};

describe('change data capture on the cache details', () => {
  it('shows the streamed slot and its lag', async () => {
    signInAs('viewer');
    mockCacheApi({
      'GET /api/admin/analytics/cache/datasources/1': () => jsonResponse(200, details({ changeCapture: slot })),
    });
    renderApp('/cache/1');
    const card = await screen.findByTestId('details-change-capture');
    expect(card).toHaveTextContent('ccc_ds_1');
    expect(screen.getByTestId('cdc-state')).toHaveTextContent('Streaming');
    expect(screen.getByTestId('cdc-lag')).toHaveTextContent('46.9 KB');
    expect(screen.getByTestId('cdc-incident')).toHaveTextContent('None');
    expect(within(card).queryByRole('note')).not.toBeInTheDocument();
  });

  it('warns when the slot was dropped, and names the incident', async () => {
    signInAs('viewer');
    const dropped = {
      ...slot,
      slotExists: false,
      active: false,
      lagBytes: null,
      lastIncident: { kind: 'slot_dropped' as const, at: new Date().toISOString(), lagBytes: 0 },
    };
    mockCacheApi({
      'GET /api/admin/analytics/cache/datasources/1': () => jsonResponse(200, details({ changeCapture: dropped })),
    });
    renderApp('/cache/1');
    expect(await screen.findByTestId('cdc-state')).toHaveTextContent('Slot missing');
    expect(within(screen.getByTestId('details-change-capture')).getByRole('note')).toHaveTextContent('does not exist');
    expect(screen.getByTestId('cdc-incident')).toHaveTextContent('Slot was dropped');
  });

  it('is absent for a datasource not in cdc mode', async () => {
    signInAs('viewer');
    mockCacheApi({ 'GET /api/admin/analytics/cache/datasources/1': () => jsonResponse(200, details()) });
    renderApp('/cache/1');
    await screen.findByTestId('details-metrics');
    expect(screen.queryByTestId('details-change-capture')).not.toBeInTheDocument();
  });
});
