import { Fragment, useLayoutEffect, useMemo, useState, type HTMLAttributes, type ReactNode } from 'react';
import { LoadError, Loading } from '../QueryStatus';
import './ui.css';

export type SortValue = string | number | boolean | null | undefined;
export type SortDirection = 'ascending' | 'descending';

export interface Column<T> {
  id: string;
  header: ReactNode;
  /** The header is for screen readers only (e.g. a column of buttons). */
  hideHeader?: boolean;
  cell: (row: T) => ReactNode;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** Makes the column sortable by this value (empty values last). */
  sortValue?: (row: T) => SortValue;
  /** The cell names its row (`<th scope="row">`). */
  rowHeader?: boolean;
  className?: string;
  cellTestId?: (row: T) => string;
}

type RowAttributes = HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | boolean | undefined>;

export interface DataTableProps<T> {
  /** What the table lists, for screen readers: its caption, and (with "(scrolls)") its scroll region's name, so unique on the page. */
  label: string;
  columns: ReadonlyArray<Column<T>>;
  /** Undefined while there is nothing to show yet. */
  rows: readonly T[] | undefined;
  rowKey: (row: T) => string;
  rowProps?: (row: T) => RowAttributes;
  /** Rows rendered under a row (details of it), kept with it when sorting. */
  renderAfterRow?: (row: T) => ReactNode;
  testId?: string;
  loading?: boolean;
  loadingLabel?: string;
  /** A failed load; shown instead of the table when there are no rows to show. */
  error?: unknown;
  /** Said instead of an empty table. */
  empty?: ReactNode;
  emptyTestId?: string;
  /** The rows are placeholders while newer ones load. */
  busy?: boolean;
  initialSort?: { columnId: string; direction: SortDirection };
  /** In a card of its own (default), or plain inside one. */
  card?: boolean;
  className?: string;
}

/** Empty values last; numbers by value; text by a natural, case-insensitive order ("DS 2" before "DS 10"). */
export function compareSortValues(a: SortValue, b: SortValue): number {
  const aEmpty = a === null || a === undefined || a === '';
  const bEmpty = b === null || b === undefined || b === '';
  if (aEmpty || bEmpty) return aEmpty === bEmpty ? 0 : aEmpty ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' });
}

function sortRows<T>(rows: readonly T[], sortValue: (row: T) => SortValue, direction: SortDirection): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: sortValue(row) }))
    .sort((a, b) => {
      const aEmpty = a.value === null || a.value === undefined || a.value === '';
      const bEmpty = b.value === null || b.value === undefined || b.value === '';
      // Empty values stay last whichever way the column is sorted; ties keep the given order.
      if (aEmpty !== bEmpty) return aEmpty ? 1 : -1;
      return sign * compareSortValues(a.value, b.value) || a.index - b.index;
    })
    .map(({ row }) => row);
}

/** Whether the element's content is larger than it shows (it scrolls). */
function useOverflows(element: HTMLElement | null): boolean {
  const [overflows, setOverflows] = useState(false);
  useLayoutEffect(() => {
    if (!element || typeof ResizeObserver === 'undefined') return;
    const check = () =>
      setOverflows(element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, [element]);
  return overflows;
}

/**
 * A table with its loading, error and empty states, sortable columns (click a header; `aria-sort`
 * says the order), and a wrapper that scrolls sideways when the screen is narrower than the table (or
 * down, when a caller caps its height): then it becomes a labelled region that takes keyboard focus,
 * so it can be scrolled without a mouse.
 */
export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  rowProps,
  renderAfterRow,
  testId,
  loading = false,
  loadingLabel,
  error,
  empty = 'Nothing to show.',
  emptyTestId,
  busy = false,
  initialSort,
  card = true,
  className,
}: DataTableProps<T>) {
  const [sort, setSort] = useState(initialSort ?? null);
  // State, not a ref: the wrapper appears only once there are rows, and the check must follow it.
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
  const overflows = useOverflows(scroller);
  const sortColumn = sort ? columns.find((column) => column.id === sort.columnId && column.sortValue) : undefined;
  const shown = useMemo(
    () => (rows && sort && sortColumn?.sortValue ? sortRows(rows, sortColumn.sortValue, sort.direction) : rows),
    [rows, sort, sortColumn],
  );

  if (error && !rows?.length) return <LoadError error={error} />;
  if (!shown) return loading ? <Loading label={loadingLabel} /> : null;
  if (shown.length === 0) {
    return (
      <div className={card ? 'card card-muted empty-state' : 'muted empty-state'} data-testid={emptyTestId}>
        {typeof empty === 'string' ? <p>{empty}</p> : empty}
      </div>
    );
  }

  const toggle = (column: Column<T>) =>
    setSort((current) => ({
      columnId: column.id,
      direction: current?.columnId === column.id && current.direction === 'ascending' ? 'descending' : 'ascending',
    }));

  return (
    <div
      ref={setScroller}
      className={`table-scroll${card ? ' card table-card' : ''}${className ? ` ${className}` : ''}`}
      {...(overflows ? { role: 'region', 'aria-label': `${label} (scrolls)`, tabIndex: 0 } : {})}
    >
      <table className="table" data-testid={testId} aria-busy={busy ? true : undefined}>
        <caption className="visually-hidden">{label}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const sorted = sortColumn?.id === column.id ? sort?.direction : undefined;
              return (
                <th key={column.id} scope="col" className={column.numeric ? 'numeric' : undefined} aria-sort={sorted}>
                  {column.hideHeader ? (
                    <span className="visually-hidden">{column.header}</span>
                  ) : column.sortValue ? (
                    <button type="button" className="sort-button" onClick={() => toggle(column)}>
                      {column.header}
                      <span className="sort-indicator" aria-hidden="true">
                        {sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : '↕'}
                      </span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <Fragment key={rowKey(row)}>
              <tr {...rowProps?.(row)}>
                {columns.map((column) => {
                  const Cell = column.rowHeader ? 'th' : 'td';
                  const classes = [column.numeric ? 'numeric' : '', column.className ?? ''].filter(Boolean).join(' ');
                  return (
                    <Cell
                      key={column.id}
                      scope={column.rowHeader ? 'row' : undefined}
                      className={classes || undefined}
                      data-testid={column.cellTestId?.(row)}
                    >
                      {column.cell(row)}
                    </Cell>
                  );
                })}
              </tr>
              {renderAfterRow?.(row)}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
