import type { AuditEntry, Paginated } from '@ccc/shared-types';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';

function entry(index: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `audit-${index}`,
    occurredAt: '2025-10-15T20:00:00.000Z',
    actorId: 'user-admin',
    actorName: 'admin@example.com',
    actorKind: 'user',
    action: 'cache.warm',
    targetType: 'datasource',
    targetId: '1',
    parameters: null,
    outcome: 'success',
    statusCode: 202,
    errorCode: null,
    correlationId: null,
    ...overrides,
  };
}

describe('audit page', () => {
  it('shows entries, filters them and pages through them', async () => {
    signInAs('admin');
    const requests: URLSearchParams[] = [];
    mockApi({
      'GET /api/admin/audit': ({ url }) => {
        requests.push(url.searchParams);
        const page = Number(url.searchParams.get('page'));
        const body: Paginated<AuditEntry> = {
          items: [
            entry(page, { action: page === 2 ? 'datasource.update' : 'cache.warm' }),
            entry(page + 100, {
              actorName: null,
              actorId: null,
              actorKind: 'anonymous',
              action: 'auth.login',
              outcome: 'failure',
              statusCode: 401,
              targetType: null,
              targetId: null,
            }),
            entry(page + 200, { action: 'cache.warm', targetId: 'all datasources (5)' }),
          ],
          total: 30,
          page,
          pageSize: 25,
        };
        return jsonResponse(200, body);
      },
    });
    const { user } = renderApp('/audit');

    const table = await screen.findByTestId('audit-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('admin@example.com');
    expect(rows[0]).toHaveTextContent('cache.warm');
    expect(rows[0]).toHaveTextContent('datasource #1');
    expect(rows[0]).toHaveTextContent('success');
    expect(rows[0]).toHaveTextContent('202');
    expect(rows[1]).toHaveTextContent('Anonymous');
    expect(rows[1]).toHaveTextContent('failure');
    // A warm of every datasource names what it covered, not a bare "datasource".
    expect(within(rows[2]!).getAllByRole('cell')[3]!).toHaveTextContent(/^all datasources \(5\)$/);
    expect(screen.getByTestId('audit-page-info')).toHaveTextContent('Page 1 of 2 · 30 entries');
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled();

    await user.type(screen.getByLabelText('Action'), 'auth.login');
    await user.selectOptions(screen.getByLabelText('Outcome'), 'failure');
    await user.type(screen.getByLabelText('Actor id'), 'user-admin');
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    await screen.findByTestId('audit-table');
    const filtered = requests.at(-1)!;
    expect(filtered.get('action')).toBe('auth.login');
    expect(filtered.get('outcome')).toBe('failure');
    expect(filtered.get('actorId')).toBe('user-admin');
    expect(filtered.get('page')).toBe('1');

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('datasource.update')).toBeInTheDocument();
    expect(screen.getByTestId('audit-page-info')).toHaveTextContent('Page 2 of 2');
    expect(requests.at(-1)!.get('page')).toBe('2');
    expect(requests.at(-1)!.get('outcome')).toBe('failure');
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
  });
});
