import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { Tabs } from './Tabs';

type View = 'overview' | 'keys' | 'slowlog';

function Views({ initial = 'overview' }: { initial?: View }) {
  const [view, setView] = useState<View>(initial);
  return (
    <>
      <button type="button">Before</button>
      <Tabs
        label="Redis views"
        value={view}
        onValueChange={setView}
        tabs={[
          { id: 'overview', label: 'Overview', content: <p>Server figures</p> },
          { id: 'keys', label: 'Keys', content: <p>Key browser</p> },
          { id: 'slowlog', label: 'Slow log', content: <p>Slow commands</p> },
        ]}
      />
    </>
  );
}

describe('Tabs', () => {
  it('shows the selected tab’s panel only, labelled by its tab', () => {
    render(<Views initial="keys" />);
    expect(screen.getByRole('tablist', { name: 'Redis views' })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Keys' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel', { name: 'Keys' })).toHaveTextContent('Key browser');
    expect(screen.queryByText('Server figures')).not.toBeInTheDocument();
  });

  it('is one tab stop; arrow keys move between tabs and select them, wrapping around', async () => {
    const user = userEvent.setup();
    render(<Views />);
    await user.click(screen.getByRole('button', { name: 'Before' }));
    await user.tab();
    expect(screen.getByRole('tab', { name: 'Overview' })).toHaveFocus();

    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Keys' })).toHaveFocus();
    expect(screen.getByRole('tabpanel')).toHaveTextContent('Key browser');

    await user.keyboard('{ArrowRight}{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Overview' })).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(screen.getByRole('tab', { name: 'Slow log' })).toHaveAttribute('aria-selected', 'true');

    // Tab leaves the list for the panel instead of visiting every tab.
    await user.tab();
    expect(screen.getByRole('tabpanel')).toHaveFocus();
  });

  it('jumps to the first and last tab with Home and End', async () => {
    const user = userEvent.setup();
    render(<Views initial="keys" />);
    await user.click(screen.getByRole('tab', { name: 'Keys' }));
    await user.keyboard('{End}');
    expect(screen.getByRole('tab', { name: 'Slow log' })).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Home}');
    expect(screen.getByRole('tab', { name: 'Overview' })).toHaveFocus();
    expect(screen.getByRole('tabpanel')).toHaveTextContent('Server figures');
  });
});
