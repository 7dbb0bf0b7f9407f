import type { EfficiencyReport } from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';
import { efficiency } from '../test-fixtures';

describe('efficiency tab', () => {
  it('reports each datasource with its trend and verdict, for the chosen period', async () => {
    signInAs('viewer');
    const asked: string[] = [];
    mockApi({
      'GET /api/admin/monitoring/efficiency': ({ url }) => {
        const days = Number(url.searchParams.get('days'));
        asked.push(String(days));
        const report: EfficiencyReport = {
          generatedAt: new Date().toISOString(),
          periodDays: days,
          from: '2026-11-15T00:00:00.000Z',
          to: '2026-11-21T23:59:59.999Z',
          datasources: [
            efficiency(),
            efficiency({
              datasourceId: 2,
              name: 'Operational Metrics',
              verdict: 'UNUSED',
              currentHitRate: null,
              cacheHits: 0,
              memoryPerHitBytes: null,
              queriesPerWarmingSecond: null,
            }),
          ],
        };
        return jsonResponse(200, report);
      },
    });
    const { user } = renderApp('/efficiency');

    const revenue = await screen.findByTestId('efficiency-row-1');
    expect(revenue).toHaveTextContent('DS #1: Revenue Analytics');
    // "Now" is the service's one hit rate over its named window, not the 24-hour figure.
    expect(within(revenue).getByTestId('hit-rate-1')).toHaveTextContent(/^94\.5%$/);
    expect(revenue).toHaveTextContent('last 15 min');
    expect(revenue).toHaveTextContent('8.0 MB');
    expect(revenue).toHaveTextContent('Efficient');
    expect(
      within(revenue).getByRole('img', {
        name: /hit rate per day: 2026-11-19: no traffic; 2026-11-20: 88.5%; 2026-11-21: 95%/,
      }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('verdict-2')).toHaveTextContent('Unused');

    await user.selectOptions(screen.getByLabelText('Period'), '30');
    await waitFor(() => expect(asked).toEqual(['7', '30']));
  });
});
