import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { pageCount, Pagination } from './Pagination';

describe('Pagination', () => {
  it('counts pages, an empty list being page 1 of 1', () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(20, 20)).toBe(1);
    expect(pageCount(21, 20)).toBe(2);
  });

  it('says where the user is and moves one page either way', async () => {
    const user = userEvent.setup();
    const onPageChange = vi.fn();
    render(
      <Pagination
        label="Audit pages"
        page={2}
        pageCount={3}
        summary="57 entries"
        onPageChange={onPageChange}
        testId="info"
      />,
    );
    expect(screen.getByRole('navigation', { name: 'Audit pages' })).toBeInTheDocument();
    expect(screen.getByTestId('info')).toHaveTextContent('Page 2 of 3 · 57 entries');
    await user.click(screen.getByRole('button', { name: 'Previous' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(onPageChange.mock.calls).toEqual([[1], [3]]);
  });

  it('cannot go before the first page or past the last, nor on while the next page loads', () => {
    const { rerender } = render(<Pagination label="Pages" page={1} pageCount={1} onPageChange={() => undefined} />);
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();

    rerender(<Pagination label="Pages" page={1} pageCount={4} onPageChange={() => undefined} busy />);
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    rerender(<Pagination label="Pages" page={1} pageCount={4} onPageChange={() => undefined} />);
    expect(screen.getByRole('button', { name: 'Next' })).toBeEnabled();
  });
});
