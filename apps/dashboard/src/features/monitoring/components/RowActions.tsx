/** The Edit and Delete buttons of a table row; `label` names the row for screen readers. */
export function EditDeleteButtons({
  label,
  onEdit,
  onDelete,
}: {
  label: string;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <>
      <button
        type="button"
        className="button button-small button-secondary"
        aria-label={`Edit ${label}`}
        onClick={onEdit}
      >
        Edit
      </button>
      <button
        type="button"
        className="button button-small button-secondary button-danger-outline"
        aria-label={`Delete ${label}`}
        onClick={onDelete}
      >
        Delete
      </button>
    </>
  );
}
