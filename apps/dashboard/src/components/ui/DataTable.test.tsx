import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DataTable, type Column } from './DataTable';

interface Row {
  name: string;
  hits: number | null;
}

const ROWS: Row[] = [
  { name: 'DS 10', hits: 5 },
  { name: 'DS 2', hits: null },
  { name: 'ds 1', hits: 40 },
];

const COLUMNS: Array<Column<Row>> = [
  { id: 'name', header: 'Datasource', cell: (row) => row.name, sortValue: (row) => row.name, rowHeader: true },
  { id: 'hits', header: 'Hits', cell: (row) => row.hits ?? '—', sortValue: (row) => row.hits, numeric: true },
  { id: 'actions', header: 'Actions', hideHeader: true, cell: (row) => <button type="button">Open {row.name}</button> },
];

function names(): string[] {
  return within(screen.getByRole('table'))
    .getAllByRole('rowheader')
    .map((cell) => cell.textContent ?? '');
}

describe('DataTable', () => {
  it('lists the rows in the order given until a column is sorted', () => {
    render(<DataTable label="Datasources" columns={COLUMNS} rows={ROWS} rowKey={(row) => row.name} />);
    expect(screen.getByRole('table', { name: 'Datasources' })).toBeInTheDocument();
    expect(names()).toEqual(['DS 10', 'DS 2', 'ds 1']);
    // The actions column has a header for screen readers only, and it is not sortable.
    expect(within(screen.getByRole('columnheader', { name: 'Actions' })).queryByRole('button')).not.toBeInTheDocument();
  });

  it('sorts by a column when its header is clicked, then the other way, and says so with aria-sort', async () => {
    const user = userEvent.setup();
    render(<DataTable label="Datasources" columns={COLUMNS} rows={ROWS} rowKey={(row) => row.name} />);
    const header = screen.getByRole('columnheader', { name: /Datasource/ });
    expect(header).not.toHaveAttribute('aria-sort');

    await user.click(within(header).getByRole('button'));
    // Natural order, case-insensitive: "2" before "10".
    expect(names()).toEqual(['ds 1', 'DS 2', 'DS 10']);
    expect(header).toHaveAttribute('aria-sort', 'ascending');

    await user.click(within(header).getByRole('button'));
    expect(names()).toEqual(['DS 10', 'DS 2', 'ds 1']);
    expect(header).toHaveAttribute('aria-sort', 'descending');
  });

  it('sorts numbers by value, with empty values last both ways', async () => {
    const user = userEvent.setup();
    render(<DataTable label="Datasources" columns={COLUMNS} rows={ROWS} rowKey={(row) => row.name} />);
    const hits = screen.getByRole('button', { name: /Hits/ });
    await user.click(hits);
    expect(names()).toEqual(['DS 10', 'ds 1', 'DS 2']);
    await user.click(hits);
    expect(names()).toEqual(['ds 1', 'DS 10', 'DS 2']);
    // Only one column is sorted at a time.
    expect(screen.getByRole('columnheader', { name: /Datasource/ })).not.toHaveAttribute('aria-sort');
  });

  it('can start sorted, and keeps rows rendered under a row with it', () => {
    render(
      <DataTable
        label="Datasources"
        columns={COLUMNS}
        rows={ROWS}
        rowKey={(row) => row.name}
        initialSort={{ columnId: 'hits', direction: 'descending' }}
        renderAfterRow={(row) => (
          <tr>
            <td colSpan={3}>details of {row.name}</td>
          </tr>
        )}
      />,
    );
    const rows = within(screen.getByRole('table'))
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.textContent);
    expect(rows).toEqual([
      'ds 140Open ds 1',
      'details of ds 1',
      'DS 105Open DS 10',
      'details of DS 10',
      'DS 2—Open DS 2',
      'details of DS 2',
    ]);
  });

  it('says what is happening instead of showing an empty table', () => {
    const { rerender } = render(
      <DataTable
        label="Jobs"
        columns={COLUMNS}
        rows={undefined}
        rowKey={(row) => row.name}
        loading
        loadingLabel="Loading jobs…"
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent('Loading jobs…');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();

    rerender(
      <DataTable
        label="Jobs"
        columns={COLUMNS}
        rows={undefined}
        rowKey={(row) => row.name}
        error={new Error('The service is down')}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('The service is down');

    rerender(
      <DataTable
        label="Jobs"
        columns={COLUMNS}
        rows={[]}
        rowKey={(row) => row.name}
        empty="No jobs yet."
        emptyTestId="no-jobs"
      />,
    );
    expect(screen.getByTestId('no-jobs')).toHaveTextContent('No jobs yet.');
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('keeps showing the rows it has when a refresh fails, and marks placeholder rows busy', () => {
    render(
      <DataTable
        label="Jobs"
        columns={COLUMNS}
        rows={ROWS}
        rowKey={(row) => row.name}
        error={new Error('refresh failed')}
        busy
      />,
    );
    expect(screen.getByRole('table')).toHaveAttribute('aria-busy', 'true');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
