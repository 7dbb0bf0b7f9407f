import type { DatasourceCacheMetrics } from '@ccc/shared-types';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Pagination } from '../../../components/ui/Pagination';
import {
  CARD_HEALTH_FILTERS,
  cardFilterParams,
  pageOfCards,
  readCardFilter,
  type CardFilter,
  type CardPage,
} from '../card-filter';
import { HEALTH_META } from '../health';

/**
 * The cache overview's search, health filter and page, kept in the URL: with a thousand datasources the page shows
 * one page of cards (card-filter.ts) rather than rendering them all.
 */
export function useCardPage(cards: readonly DatasourceCacheMetrics[]): {
  filter: CardFilter;
  page: CardPage;
  setFilter: (next: CardFilter) => void;
} {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => readCardFilter(params), [params]);
  const page = useMemo(() => pageOfCards(cards, filter), [cards, filter]);
  // Typing replaces the history entry; changing the page adds one, so Back returns to the previous page.
  const setFilter = (next: CardFilter) => setParams(cardFilterParams(next), { replace: next.page === filter.page });
  return { filter, page, setFilter };
}

export function CacheCardFilters({
  filter,
  page,
  total,
  onChange,
}: {
  filter: CardFilter;
  page: CardPage;
  total: number;
  onChange: (next: CardFilter) => void;
}) {
  return (
    <form className="filters" role="search" aria-label="Find datasources" onSubmit={(event) => event.preventDefault()}>
      <div className="field">
        <label htmlFor="cache-card-search">Search datasources</label>
        <input
          id="cache-card-search"
          type="text"
          placeholder="name or #id"
          maxLength={200}
          value={filter.search}
          onChange={(event) => onChange({ ...filter, search: event.target.value, page: 1 })}
        />
      </div>
      <div className="field">
        <label htmlFor="cache-card-health">Health</label>
        <select
          id="cache-card-health"
          value={filter.health}
          onChange={(event) => onChange({ ...filter, health: event.target.value as CardFilter['health'], page: 1 })}
        >
          <option value="">Any</option>
          {CARD_HEALTH_FILTERS.map((health) => (
            <option key={health} value={health}>
              {HEALTH_META[health].label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <p className="field-hint" role="status" data-testid="cache-card-count">
          {page.matching === total
            ? `${total} ${total === 1 ? 'datasource' : 'datasources'}`
            : `${page.matching} of ${total} datasources match`}
        </p>
      </div>
    </form>
  );
}

export function CacheCardPagination({
  filter,
  page,
  onChange,
}: {
  filter: CardFilter;
  page: CardPage;
  onChange: (next: CardFilter) => void;
}) {
  if (page.pageCount <= 1) return null;
  return (
    <Pagination
      label="Datasource card pages"
      page={page.page}
      pageCount={page.pageCount}
      summary={`${page.matching} datasources`}
      onPageChange={(next) => onChange({ ...filter, page: next })}
      testId="cache-card-page-info"
    />
  );
}
