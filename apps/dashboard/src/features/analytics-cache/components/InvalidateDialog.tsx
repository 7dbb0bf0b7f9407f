import { ActionDialog } from '../../../components/ui/Dialog';
import { datasourceLabel, formatCount, formatMemoryMB } from '../../../lib/format';
import { showToast } from '../../../lib/toast';
import { actionErrorMessage } from '../action-error';
import { useInvalidateCache } from '../hooks/useInvalidateCache';

export interface InvalidateTarget {
  datasourceId: number;
  datasourceName: string;
  /** Only the entries of one measure and frequency; the whole datasource without it. */
  scope?: { measure: string; frequency: string };
  entries: number;
  indexes?: number;
  memoryMB?: number;
}

function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}

/** Says exactly what will be dropped before anything is, then reports what the service deleted. */
export function InvalidateDialog({ target, onClose }: { target: InvalidateTarget; onClose: () => void }) {
  const invalidate = useInvalidateCache();
  const label = datasourceLabel(target.datasourceId, target.datasourceName);
  const what = target.scope ? `${target.scope.measure} (${target.scope.frequency}) of ${label}` : label;

  const confirm = () =>
    invalidate.mutate(
      { datasourceId: target.datasourceId, ...target.scope },
      {
        onSuccess: (result) => {
          showToast(
            `Invalidated ${what}: ${countOf(result.keysDeleted, 'key')} and ${countOf(result.indexesDeleted, 'index', 'indexes')} deleted, ${formatMemoryMB(result.memoryFreedMB)} freed.`,
            { kind: 'info' },
          );
          onClose();
        },
      },
    );

  return (
    <ActionDialog
      title={`Invalidate ${what}?`}
      confirmLabel="Invalidate"
      pendingLabel="Invalidating…"
      tone="danger"
      pending={invalidate.isPending}
      error={invalidate.isError ? <p>{actionErrorMessage(invalidate.error, 'invalidation')}</p> : null}
      onConfirm={confirm}
      onCancel={onClose}
    >
      <p>This drops from the cache:</p>
      <ul data-testid="invalidate-summary">
        <li>{countOf(target.entries, 'cache entry', 'cache entries')}</li>
        {target.indexes !== undefined && <li>{countOf(target.indexes, 'secondary index', 'secondary indexes')}</li>}
        {target.memoryMB !== undefined && <li>about {formatMemoryMB(target.memoryMB)} of memory</li>}
      </ul>
      <p className="muted">
        {target.scope
          ? 'Queries for these entries go to the source database until the datasource is warmed again.'
          : 'The datasource turns cold: its queries go to the source database until it is warmed again.'}
      </p>
    </ActionDialog>
  );
}
