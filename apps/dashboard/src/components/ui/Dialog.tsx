import * as RadixDialog from '@radix-ui/react-dialog';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import './ui.css';

export interface DialogProps {
  title: ReactNode;
  /** What the dialog is about, read out with its title (its accessible description). */
  description?: ReactNode;
  children?: ReactNode;
  /** The buttons under the body. */
  footer?: ReactNode;
  /** Called on Escape and on the close button; the caller unmounts the dialog. */
  onClose: () => void;
  /** False while an action runs: Escape and the close button wait for it. */
  dismissible?: boolean;
  wide?: boolean;
  /** Makes the body and footer one form (Enter in a field submits). */
  onSubmit?: (event: FormEvent<HTMLFormElement>) => void;
  testId?: string;
}

const FIELDS = 'input:not([type=hidden]):not(:disabled), textarea:not(:disabled), select:not(:disabled)';

/**
 * A modal dialog, shown while it is mounted. Radix keeps focus inside it (Tab and Shift+Tab cycle),
 * hides the page behind it from assistive technology and stops it scrolling; Escape and the close
 * button call `onClose`. Focus starts on the element marked `data-autofocus`, else the first field,
 * else the Cancel button (`data-dialog-cancel`), and goes back to whatever opened the dialog.
 */
export function Dialog({
  title,
  description,
  children,
  footer,
  onClose,
  dismissible = true,
  wide = false,
  onSubmit,
  testId,
}: DialogProps) {
  const contentRef = useRef<HTMLDivElement>(null);
  // Read during the first render, before Radix moves focus into the dialog.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));

  const focusFirst = (event: Event) => {
    event.preventDefault();
    const content = contentRef.current;
    const target =
      content?.querySelector<HTMLElement>('[data-autofocus]') ??
      content?.querySelector<HTMLElement>(`.dialog-body :is(${FIELDS})`) ??
      content?.querySelector<HTMLElement>('[data-dialog-cancel]:not(:disabled)') ??
      content;
    target?.focus();
  };
  const returnFocus = (event: Event) => {
    event.preventDefault();
    if (opener?.isConnected) opener.focus();
  };

  const body = (
    <>
      <div className="dialog-body">{children}</div>
      {footer && <div className="dialog-actions">{footer}</div>}
    </>
  );
  return (
    <RadixDialog.Root open onOpenChange={(open) => !open && dismissible && onClose()}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-backdrop" />
        <RadixDialog.Content
          ref={contentRef}
          className={`dialog${wide ? ' dialog-wide' : ''}`}
          data-testid={testId}
          {...(description ? {} : { 'aria-describedby': undefined })}
          onOpenAutoFocus={focusFirst}
          onCloseAutoFocus={returnFocus}
          onEscapeKeyDown={(event) => !dismissible && event.preventDefault()}
          // A click beside the dialog should not throw away what was typed in it.
          onInteractOutside={(event) => event.preventDefault()}
        >
          <div className="dialog-header">
            <RadixDialog.Title className="dialog-title">{title}</RadixDialog.Title>
            <RadixDialog.Close className="dialog-close" aria-label="Close dialog" disabled={!dismissible}>
              <span aria-hidden="true">×</span>
            </RadixDialog.Close>
          </div>
          {description && (
            <RadixDialog.Description asChild>
              <div className="dialog-description">{description}</div>
            </RadixDialog.Description>
          )}
          {onSubmit ? <form onSubmit={onSubmit}>{body}</form> : body}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

interface ActionDialogProps {
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  pendingLabel?: string;
  cancelLabel?: string;
  /** E.g. until a required comment is typed. */
  confirmDisabled?: boolean;
  tone?: 'primary' | 'danger';
  pending?: boolean;
  /** Shown inside the dialog, which stays open so the user can retry or back out. */
  error?: ReactNode;
  wide?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * One action to confirm (acknowledge, reject, delete, invalidate…): Cancel and a confirm button, a
 * form so Enter in a field confirms. Focus starts on the first field, or on Cancel — the safe choice.
 */
export function ActionDialog({
  title,
  description,
  children,
  confirmLabel,
  pendingLabel,
  cancelLabel = 'Cancel',
  confirmDisabled = false,
  tone = 'primary',
  pending = false,
  error,
  wide = false,
  onConfirm,
  onCancel,
}: ActionDialogProps) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!confirmDisabled && !pending) onConfirm();
  };
  return (
    <Dialog
      title={title}
      description={description}
      wide={wide}
      dismissible={!pending}
      onClose={onCancel}
      onSubmit={submit}
      footer={
        <>
          <button
            type="button"
            className="button button-secondary"
            data-dialog-cancel
            onClick={onCancel}
            disabled={pending}
          >
            {cancelLabel}
          </button>
          <button
            type="submit"
            className={`button${tone === 'danger' ? ' button-danger' : ''}`}
            disabled={pending || confirmDisabled}
          >
            {pending ? (pendingLabel ?? confirmLabel) : confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {error && (
        <div className="callout callout-error" role="alert">
          {error}
        </div>
      )}
    </Dialog>
  );
}
