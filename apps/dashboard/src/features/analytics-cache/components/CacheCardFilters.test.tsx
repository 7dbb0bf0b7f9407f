import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, renderApp, signInAs } from '../../../test/render';
import { metrics, mockCacheApi, stats } from '../test-fixtures';

const many = Array.from({ length: 60 }, (_, i) =>
  metrics({
    datasourceId: i + 1,
    datasourceName: `Clinic ${String(i + 1).padStart(2, '0')}`,
    health: i % 4 === 0 ? 'stale' : 'excellent',
  }),
);
const cardIds = () => screen.getAllByTestId(/^ds-card-\d+$/).map((card) => card.getAttribute('data-testid'));

describe('cache overview with many datasources', () => {
  it('renders one page of cards, with search, health filter and pages kept in the URL', async () => {
    signInAs('viewer');
    mockCacheApi({ 'GET /api/admin/analytics/cache/stats': () => jsonResponse(200, stats(many)) });
    const user = userEvent.setup();
    renderApp('/cache');

    expect(await screen.findByTestId('cache-card-count')).toHaveTextContent('60 datasources');
    expect(cardIds()).toHaveLength(24);
    expect(screen.getByTestId('cache-card-page-info')).toHaveTextContent('Page 1 of 3 · 60 datasources');

    const pages = screen.getByRole('navigation', { name: 'Datasource card pages' });
    await user.click(within(pages).getByRole('button', { name: 'Next' }));
    expect(screen.getByTestId('cache-card-page-info')).toHaveTextContent('Page 2 of 3');
    expect(cardIds()[0]).toBe('ds-card-25');

    await user.type(screen.getByRole('textbox', { name: 'Search datasources' }), 'clinic 4');
    expect(screen.getByTestId('cache-card-count')).toHaveTextContent('10 of 60 datasources match');
    expect(cardIds()).toEqual(Array.from({ length: 10 }, (_, i) => `ds-card-${40 + i}`));
    expect(screen.queryByRole('navigation', { name: 'Datasource card pages' })).not.toBeInTheDocument();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Health' }), 'stale');
    expect(cardIds()).toEqual(['ds-card-41', 'ds-card-45', 'ds-card-49']);

    await user.clear(screen.getByRole('textbox', { name: 'Search datasources' }));
    await user.type(screen.getByRole('textbox', { name: 'Search datasources' }), 'no such clinic');
    expect(screen.getByText('No datasource matches this search.')).toBeInTheDocument();
  });

  it('opens on the page and filter the URL names', async () => {
    signInAs('viewer');
    mockCacheApi({ 'GET /api/admin/analytics/cache/stats': () => jsonResponse(200, stats(many)) });
    renderApp('/cache?q=clinic&page=3');

    expect(await screen.findByTestId('cache-card-page-info')).toHaveTextContent('Page 3 of 3 · 60 datasources');
    expect(screen.getByRole('textbox', { name: 'Search datasources' })).toHaveValue('clinic');
    expect(cardIds()).toEqual(Array.from({ length: 12 }, (_, i) => `ds-card-${49 + i}`));
  });
});
