import type { ReactNode } from 'react';

interface TableCardProps {
  testId: string;
  /** The header cells (`<th scope="col">`) of the one header row. */
  columns: ReactNode;
  /** True while the rows shown are placeholders for the ones being loaded. */
  busy?: boolean;
  children: ReactNode;
}

/** A table in a card that scrolls sideways when the page is narrow. */
export function TableCard({ testId, columns, busy, children }: TableCardProps) {
  return (
    <div className="table-wrap card">
      <table className="table" data-testid={testId} aria-busy={busy ? true : undefined}>
        <thead>
          <tr>{columns}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** What a section says in place of its table when there is nothing to list. */
export function EmptyCard({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <p className="card card-muted" data-testid={testId}>
      {children}
    </p>
  );
}

/** The Edit and Delete buttons of a table row; `label` names the row for screen readers. */
export function EditDeleteButtons({ label, onEdit, onDelete }: { label: string; onEdit: () => void; onDelete: () => void }) {
  return (
    <>
      <button type="button" className="button button-small button-secondary" aria-label={`Edit ${label}`} onClick={onEdit}>
        Edit
      </button>
      <button type="button" className="button button-small button-secondary button-danger-outline" aria-label={`Delete ${label}`} onClick={onDelete}>
        Delete
      </button>
    </>
  );
}
