import type { PreviousGeneration, RollbackResponse } from '@ccc/shared-types';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, renderApp, signInAs } from '../../../test/render';
import { details, mockCacheApi } from '../test-fixtures';

const DETAILS = 'GET /api/admin/analytics/cache/datasources/1';
const ROLLBACK = 'POST /api/admin/analytics/cache/datasources/1/rollback';

function previous(overrides: Partial<PreviousGeneration> = {}): PreviousGeneration {
  return {
    generation: 6,
    entries: 12_001,
    rows: 240_020,
    indexCount: 85,
    estimatedMemoryMB: 43.8,
    lastWarmed: new Date(Date.now() - 5 * 3600_000).toISOString(),
    retiredAt: new Date(Date.now() - 3600_000).toISOString(),
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    jobId: 'job-6',
    ...overrides,
  };
}

describe('live and previous generation on the details page', () => {
  it('shows both generations side by side, without a rollback for a viewer', async () => {
    signInAs('viewer');
    mockCacheApi({ [DETAILS]: () => jsonResponse(200, details({ previousGeneration: previous() })) });
    renderApp('/cache/1');

    const table = await screen.findByTestId('generations-table');
    expect(within(table).getByTestId('live-Generation')).toHaveTextContent('7');
    expect(within(table).getByTestId('previous-Generation')).toHaveTextContent('6');
    expect(within(table).getByTestId('live-Entries')).toHaveTextContent('12,458');
    expect(within(table).getByTestId('previous-Entries')).toHaveTextContent('12,001');
    expect(within(table).getByTestId('previous-Memory')).toHaveTextContent('43.8 MB');
    expect(within(table).getByTestId('previous-Kept until')).toHaveTextContent('in 30 minutes');
    expect(screen.queryByRole('button', { name: /Roll back/ })).not.toBeInTheDocument();
  });

  it('rolls back after confirmation, to the generation the user saw, and says what is kept', async () => {
    signInAs('admin');
    const bodies: unknown[] = [];
    mockCacheApi({
      [DETAILS]: () => jsonResponse(200, details({ previousGeneration: previous() })),
      [ROLLBACK]: ({ body }) => {
        bodies.push(body);
        const result: RollbackResponse = {
          datasourceId: 1,
          generation: 6,
          rolledBackFrom: 7,
          previousGeneration: previous({ generation: 7 }),
        };
        return jsonResponse(200, result);
      },
    });
    const { user } = renderApp('/cache/1');

    await user.click(await screen.findByRole('button', { name: 'Roll back to generation 6' }));
    const dialog = screen.getByRole('dialog', { name: 'Roll back DS #1: Revenue Analytics to generation 6?' });
    const summary = within(dialog).getByTestId('rollback-summary');
    expect(summary).toHaveTextContent('back: generation 6 — 12,001 entries, about 43.8 MB');
    expect(summary).toHaveTextContent('out: generation 7 — 12,458 entries, about 45.2 MB');
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));

    expect(
      await screen.findByText(/Rolled DS #1: Revenue Analytics back to generation 6\. Generation 7 is kept until/),
    ).toBeInTheDocument();
    expect(bodies).toEqual([{ generation: 6 }]);
  });

  it('keeps the dialog open with the reason when the service refuses', async () => {
    signInAs('admin');
    mockCacheApi({
      [DETAILS]: () => jsonResponse(200, details({ previousGeneration: previous() })),
      [ROLLBACK]: () =>
        jsonResponse(409, errorBody('CONFLICT', 'Datasource 1 is being warmed (job j-1): wait for the warm to finish')),
    });
    const { user } = renderApp('/cache/1');

    await user.click(await screen.findByRole('button', { name: 'Roll back to generation 6' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect(await within(dialog).findByText(/is being warmed \(job j-1\)/)).toBeInTheDocument();
  });

  it('says when no previous generation is retained, and offers no rollback', async () => {
    signInAs('admin');
    mockCacheApi({ [DETAILS]: () => jsonResponse(200, details()) });
    renderApp('/cache/1');

    expect(await screen.findByTestId('no-previous-generation')).toHaveTextContent('No previous generation is retained');
    expect(within(screen.getByTestId('generations-table')).getByTestId('previous-Generation')).toHaveTextContent(
      'None retained',
    );
    expect(screen.queryByRole('button', { name: /Roll back/ })).not.toBeInTheDocument();
  });
});
