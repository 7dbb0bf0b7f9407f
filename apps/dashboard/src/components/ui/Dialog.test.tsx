import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ActionDialog } from './Dialog';

function Page({
  withField = false,
  pending = false,
  onConfirm = () => undefined,
}: {
  withField?: boolean;
  pending?: boolean;
  onConfirm?: () => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <main>
      <button type="button" onClick={() => setOpen(true)}>
        Delete threshold
      </button>
      {open && (
        <ActionDialog
          title="Delete the threshold?"
          description={<p>No more alerts will be raised for it.</p>}
          confirmLabel="Delete"
          tone="danger"
          pending={pending}
          onConfirm={onConfirm}
          onCancel={() => setOpen(false)}
        >
          {withField && (
            <div className="field">
              <label htmlFor="why">Why</label>
              <textarea id="why" />
            </div>
          )}
        </ActionDialog>
      )}
    </main>
  );
}

async function open(user: ReturnType<typeof userEvent.setup>) {
  const opener = screen.getByRole('button', { name: 'Delete threshold' });
  await user.click(opener);
  return { opener, dialog: screen.getByRole('dialog', { name: 'Delete the threshold?' }) };
}

describe('Dialog', () => {
  it('is a labelled modal dialog, described by its text, with focus on the safe choice', async () => {
    const user = userEvent.setup();
    render(<Page />);
    const { dialog } = await open(user);
    expect(dialog).toHaveAccessibleDescription('No more alerts will be raised for it.');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus());
  });

  it('starts on the first field when there is one', async () => {
    const user = userEvent.setup();
    render(<Page withField />);
    await open(user);
    await waitFor(() => expect(screen.getByLabelText('Why')).toHaveFocus());
  });

  it('closes with Escape and gives focus back to what opened it', async () => {
    const user = userEvent.setup();
    render(<Page />);
    const { opener } = await open(user);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() => expect(opener).toHaveFocus());
  });

  it('closes with its close button, also giving focus back', async () => {
    const user = userEvent.setup();
    render(<Page />);
    const { opener } = await open(user);
    await user.click(screen.getByRole('button', { name: 'Close dialog' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() => expect(opener).toHaveFocus());
  });

  it('keeps focus inside while open: Tab and Shift+Tab cycle through its controls', async () => {
    const user = userEvent.setup();
    render(<Page withField />);
    await open(user);
    const field = screen.getByLabelText('Why');
    await waitFor(() => expect(field).toHaveFocus());
    await user.tab();
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Delete' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Close dialog' })).toHaveFocus();
    await user.tab({ shift: true });
    expect(screen.getByRole('button', { name: 'Delete' })).toHaveFocus();
  });

  it('confirms with Enter in a field, and cannot be dismissed while its action runs', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    const { rerender } = render(<Page onConfirm={onConfirm} />);
    await open(user);
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);

    rerender(<Page onConfirm={onConfirm} pending />);
    await user.keyboard('{Escape}');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Close dialog' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeDisabled();
  });
});
