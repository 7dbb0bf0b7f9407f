import { describe, expect, it } from 'vitest';
import { cardFilterParams, pageOfCards, readCardFilter } from './card-filter';
import { metrics } from './test-fixtures';

const cards = Array.from({ length: 1000 }, (_, i) =>
  metrics({
    datasourceId: i + 1,
    datasourceName: i === 499 ? 'Revenue by practice' : `Clinic ${i + 1}`,
    health: i % 10 === 0 ? 'cold' : 'excellent',
  }),
);

describe('the cache overview filter', () => {
  it('shows one page of 24 cards out of 1,000, the last page holding the rest', () => {
    const first = pageOfCards(cards, { search: '', health: '', page: 1 });
    expect(first).toMatchObject({ matching: 1000, page: 1, pageCount: 42 });
    expect(first.items.map((c) => c.datasourceId)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const last = pageOfCards(cards, { search: '', health: '', page: 42 });
    expect(last.items.map((c) => c.datasourceId)).toEqual(Array.from({ length: 16 }, (_, i) => 985 + i));
  });

  it('finds by part of the name (any case) or by id, and by health', () => {
    expect(pageOfCards(cards, { search: 'REVENUE', health: '', page: 1 }).items.map((c) => c.datasourceId)).toEqual([
      500,
    ]);
    expect(pageOfCards(cards, { search: '#731', health: '', page: 1 }).items.map((c) => c.datasourceId)).toEqual([731]);
    expect(pageOfCards(cards, { search: '', health: 'cold', page: 1 })).toMatchObject({ matching: 100, pageCount: 5 });
    expect(
      pageOfCards(cards, { search: 'clinic 99', health: 'cold', page: 1 }).items.map((c) => c.datasourceId),
    ).toEqual([991]);
    expect(pageOfCards(cards, { search: 'nothing like it', health: '', page: 1 })).toMatchObject({
      matching: 0,
      page: 1,
      pageCount: 1,
      items: [],
    });
  });

  it('shows the last page for a page past the end (a filter that narrowed the list)', () => {
    expect(pageOfCards(cards, { search: '', health: 'cold', page: 9 })).toMatchObject({ page: 5, pageCount: 5 });
  });

  it('reads the URL defensively and writes only what differs from the default', () => {
    expect(readCardFilter(new URLSearchParams('q=rev&health=cold&page=3'))).toEqual({
      search: 'rev',
      health: 'cold',
      page: 3,
    });
    expect(readCardFilter(new URLSearchParams('health=purple&page=-2'))).toEqual({ search: '', health: '', page: 1 });
    expect(readCardFilter(new URLSearchParams(`q=${'x'.repeat(500)}`)).search).toHaveLength(200);
    expect(cardFilterParams({ search: '', health: '', page: 1 })).toEqual({});
    expect(cardFilterParams({ search: 'rev', health: 'stale', page: 2 })).toEqual({
      q: 'rev',
      health: 'stale',
      page: '2',
    });
  });
});
