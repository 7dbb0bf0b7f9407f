import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

interface ActionDialogProps {
  title: string;
  children: ReactNode;
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
 * A modal form for one action (acknowledge, resolve, reject, implement…): focus starts on the first
 * field, or on Cancel when there is none; Escape backs out; Enter in a field confirms.
 */
export function ActionDialog({
  title,
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
  const titleId = useId();
  const bodyId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const field = formRef.current?.querySelector<HTMLElement>('textarea, input, select');
    (field ?? cancelRef.current)?.focus();
    return () => previous?.focus();
  }, []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !pending) onCancel();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [onCancel, pending]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!confirmDisabled && !pending) onConfirm();
  };

  return (
    <div className="dialog-backdrop">
      <form
        ref={formRef}
        className={`dialog${wide ? ' dialog-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        onSubmit={submit}
      >
        <h2 id={titleId}>{title}</h2>
        <div id={bodyId} className="dialog-body">
          {children}
        </div>
        {error && (
          <div className="callout callout-error" role="alert">
            {error}
          </div>
        )}
        <div className="dialog-actions">
          <button ref={cancelRef} type="button" className="button button-secondary" onClick={onCancel} disabled={pending}>
            {cancelLabel}
          </button>
          <button type="submit" className={`button${tone === 'danger' ? ' button-danger' : ''}`} disabled={pending || confirmDisabled}>
            {pending ? (pendingLabel ?? confirmLabel) : confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
