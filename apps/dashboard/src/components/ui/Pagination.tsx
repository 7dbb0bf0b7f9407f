import type { ReactNode } from 'react';
import './ui.css';

/** Pages needed for `total` items, at least one (an empty list is page 1 of 1). */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, pageSize)));
}

interface PaginationProps {
  /** Names the navigation landmark, e.g. "Audit pages". */
  label: string;
  page: number;
  pageCount: number;
  /** After "Page 2 of 5", e.g. "97 entries". */
  summary?: ReactNode;
  onPageChange: (page: number) => void;
  /** The page shown is a placeholder while the requested one loads: Next waits for it. */
  busy?: boolean;
  /** On the "Page 2 of 5" text. */
  testId?: string;
}

/** Previous / "Page 2 of 5 · 97 entries" / Next. */
export function Pagination({
  label,
  page,
  pageCount: pages,
  summary,
  onPageChange,
  busy = false,
  testId,
}: PaginationProps) {
  return (
    <nav className="pagination" aria-label={label}>
      <button
        type="button"
        className="button button-secondary"
        disabled={page <= 1}
        onClick={() => onPageChange(page - 1)}
      >
        Previous
      </button>
      <span data-testid={testId}>
        Page {page} of {pages}
        {summary !== undefined && <> · {summary}</>}
      </span>
      <button
        type="button"
        className="button button-secondary"
        disabled={page >= pages || busy}
        onClick={() => onPageChange(page + 1)}
      >
        Next
      </button>
    </nav>
  );
}
