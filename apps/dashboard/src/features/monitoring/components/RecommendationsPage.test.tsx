import type { Recommendation } from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';
import { datasourcesRoute, paged, recommendation } from '../test-fixtures';

const BASE = '/api/admin/monitoring/recommendations';

function routes(recs: Recommendation[], calls: string[] = []) {
  return {
    ...datasourcesRoute,
    [`GET ${BASE}`]: ({ url }: { url: URL }) => {
      const status = url.searchParams.get('status');
      return jsonResponse(200, paged(recs.filter((r) => !status || r.implementationStatus === status)));
    },
    ...Object.fromEntries(
      recs.flatMap((rec) =>
        (['approve', 'reject', 'implement'] as const).map((decision) => [
          `POST ${BASE}/${rec.id}/${decision}`,
          ({ body }: { body: unknown }) => {
            calls.push(`${decision} ${rec.id} ${JSON.stringify(body)}`);
            const status = { approve: 'APPROVED', reject: 'REJECTED', implement: 'IMPLEMENTED' } as const;
            rec.implementationStatus = status[decision];
            return jsonResponse(200, rec);
          },
        ]),
      ),
    ),
  };
}

describe('recommendations tab', () => {
  it('shows open recommendations with current vs recommended configuration; a viewer cannot decide', async () => {
    signInAs('viewer');
    mockApi(routes([recommendation(), recommendation({ id: 'rec-2', implementationStatus: 'IMPLEMENTED' })]));
    renderApp('/recommendations');

    const card = await screen.findByTestId('recommendation-rec-1');
    expect(screen.queryByTestId('recommendation-rec-2')).not.toBeInTheDocument();
    expect(card).toHaveTextContent('Adjust TTL for DS #1: Revenue Analytics');
    expect(card).toHaveTextContent('+12.5 pp hit rate');
    const changed = within(card)
      .getAllByRole('row')
      .filter((row) => row.getAttribute('data-changed') === 'true');
    expect(changed).toHaveLength(1);
    expect(within(changed[0]!).getByRole('rowheader')).toHaveTextContent('stalenessTtlSeconds');
    expect(
      within(changed[0]!)
        .getAllByRole('cell')
        .map((cell) => cell.querySelector('code')?.textContent),
    ).toEqual(['14400', '28800']);
    expect(within(card).queryByRole('button')).not.toBeInTheDocument();
  });

  it('approves, then implements only after a confirmation that shows what changes', async () => {
    signInAs('operator');
    const calls: string[] = [];
    mockApi(routes([recommendation()], calls));
    const { user } = renderApp('/recommendations');

    await user.click(await screen.findByRole('button', { name: 'Approve Adjust TTL for DS #1: Revenue Analytics' }));
    await waitFor(() => expect(calls).toEqual(['approve rec-1 {}']));
    await user.click(await screen.findByRole('button', { name: 'Implement Adjust TTL for DS #1: Revenue Analytics' }));

    const dialog = screen.getByRole('dialog', { name: 'Implement: Adjust TTL for DS #1: Revenue Analytics?' });
    const diff = within(dialog).getByTestId('implement-diff');
    const [, ttl, schedule] = within(diff).getAllByRole('row');
    expect(within(ttl!).getByRole('rowheader')).toHaveTextContent('stalenessTtlSeconds (changes)');
    expect(
      within(ttl!)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['14400', '28800changes']);
    expect(schedule).toHaveAttribute('data-changed', 'false');

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Implement Adjust TTL for DS #1: Revenue Analytics' }));
    await user.type(screen.getByLabelText('Notes (optional)'), 'Per the weekly review');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Implement' }));
    await waitFor(() =>
      expect(calls).toEqual(['approve rec-1 {}', 'implement rec-1 {"notes":"Per the weekly review"}']),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('rejects with optional notes', async () => {
    signInAs('operator');
    const calls: string[] = [];
    mockApi(routes([recommendation()], calls));
    const { user } = renderApp('/recommendations');

    await user.click(await screen.findByRole('button', { name: 'Reject Adjust TTL for DS #1: Revenue Analytics' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Reject' }));
    await waitFor(() => expect(calls).toEqual(['reject rec-1 {}']));
    expect(await screen.findByTestId('no-recommendations')).toHaveTextContent('No open recommendations');
  });

  it('refreshes after a 409 on a recommendation decided meanwhile, so its buttons go', async () => {
    signInAs('operator');
    const rec = recommendation();
    mockApi({
      ...routes([rec]),
      [`POST ${BASE}/${rec.id}/approve`]: () => {
        rec.implementationStatus = 'REJECTED';
        return jsonResponse(409, errorBody('CONFLICT', 'Recommendation is REJECTED, not PENDING'));
      },
    });
    const { user } = renderApp('/recommendations');

    await user.click(await screen.findByRole('button', { name: /^Approve / }));
    expect(await screen.findByTestId('no-recommendations')).toHaveTextContent('No open recommendations');
    expect(screen.queryByRole('button', { name: /^(Approve|Reject) / })).not.toBeInTheDocument();
  });

  it('says when the open recommendations are more than one page', async () => {
    signInAs('viewer');
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}`]: ({ url }: { url: URL }) =>
        jsonResponse(
          200,
          url.searchParams.get('status') === 'PENDING' ? { ...paged([recommendation()]), total: 130 } : paged([]),
        ),
    });
    renderApp('/recommendations');

    expect(await screen.findByTestId('recommendations-truncated')).toHaveTextContent(
      'Showing 1 of 130 open recommendations',
    );
  });
});
