import type { CacheHealth, DatasourceCacheMetrics } from '@ccc/shared-types';
import { pageCount } from '../../components/ui/Pagination';

/** Cards per page of the cache overview: one screenful or two, however many datasources there are. */
export const CARDS_PER_PAGE = 24;
export const CARD_HEALTH_FILTERS: readonly CacheHealth[] = ['excellent', 'good', 'degraded', 'stale', 'cold'];
/** Longest search text kept from the URL (a name is at most 200 characters). */
const MAX_SEARCH_LENGTH = 200;

export interface CardFilter {
  /** Part of the name, or the id ("12" or "#12"), case-insensitive. */
  search: string;
  health: CacheHealth | '';
  page: number;
}

/** The filter as the URL carries it (`q`, `health`, `page`), so a filtered view survives a reload and can be shared. */
export function readCardFilter(params: URLSearchParams): CardFilter {
  const health = params.get('health') ?? '';
  const page = Number(params.get('page'));
  return {
    search: (params.get('q') ?? '').slice(0, MAX_SEARCH_LENGTH),
    health: (CARD_HEALTH_FILTERS as readonly string[]).includes(health) ? (health as CacheHealth) : '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

export function cardFilterParams(filter: CardFilter): Record<string, string> {
  const params: Record<string, string> = {};
  if (filter.search) params.q = filter.search;
  if (filter.health) params.health = filter.health;
  if (filter.page > 1) params.page = String(filter.page);
  return params;
}

function matches(metrics: DatasourceCacheMetrics, filter: CardFilter): boolean {
  if (filter.health && metrics.health !== filter.health) return false;
  const search = filter.search.trim().toLowerCase();
  if (!search) return true;
  const id = search.replace(/^#/, '');
  return (
    metrics.datasourceName.toLowerCase().includes(search) || (/^\d+$/.test(id) && String(metrics.datasourceId) === id)
  );
}

export interface CardPage {
  items: DatasourceCacheMetrics[];
  /** Cards that match the filter, on every page. */
  matching: number;
  page: number;
  pageCount: number;
}

/** The cards of one page among those that match; a page past the end shows the last one. */
export function pageOfCards(
  cards: readonly DatasourceCacheMetrics[],
  filter: CardFilter,
  perPage = CARDS_PER_PAGE,
): CardPage {
  const matching = cards.filter((card) => matches(card, filter));
  const pages = pageCount(matching.length, perPage);
  const page = Math.min(filter.page, pages);
  return {
    items: matching.slice((page - 1) * perPage, page * perPage),
    matching: matching.length,
    page,
    pageCount: pages,
  };
}
