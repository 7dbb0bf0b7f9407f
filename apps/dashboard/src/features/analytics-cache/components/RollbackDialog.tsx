import type { PreviousGeneration } from '@ccc/shared-types';
import { ActionDialog } from '../../../components/ui/Dialog';
import { datasourceLabel, formatCount, formatDateTime, formatMemoryMB } from '../../../lib/format';
import { showToast } from '../../../lib/toast';
import { actionErrorMessage } from '../action-error';
import { useRollback } from '../hooks/useRollback';

export interface RollbackTarget {
  datasourceId: number;
  datasourceName: string;
  live: { generation: number; entries: number; memoryMB: number };
  previous: PreviousGeneration;
}

/** Says what comes back and what goes out before the swap, then reports what is retained for a roll forward. */
export function RollbackDialog({ target, onClose }: { target: RollbackTarget; onClose: () => void }) {
  const rollback = useRollback();
  const label = datasourceLabel(target.datasourceId, target.datasourceName);
  const { live, previous } = target;

  const confirm = () =>
    rollback.mutate(
      { datasourceId: target.datasourceId, generation: previous.generation },
      {
        onSuccess: (result) => {
          showToast(
            `Rolled ${label} back to generation ${result.generation}.` +
              (result.previousGeneration
                ? ` Generation ${result.rolledBackFrom} is kept until ${formatDateTime(result.previousGeneration.expiresAt)}: roll back again to return to it.`
                : ` Generation ${result.rolledBackFrom} will be deleted.`),
            { kind: 'info' },
          );
          onClose();
        },
      },
    );

  return (
    <ActionDialog
      title={`Roll back ${label} to generation ${previous.generation}?`}
      confirmLabel="Roll back"
      pendingLabel="Rolling back…"
      tone="danger"
      pending={rollback.isPending}
      error={rollback.isError ? <p>{actionErrorMessage(rollback.error, 'rollback')}</p> : null}
      onConfirm={confirm}
      onCancel={onClose}
    >
      <p>Queries are answered from the previous generation at once:</p>
      <ul data-testid="rollback-summary">
        <li>
          back: generation {previous.generation} — {formatCount(previous.entries)} entries, about{' '}
          {formatMemoryMB(previous.estimatedMemoryMB)}
          {previous.lastWarmed ? `, warmed ${formatDateTime(previous.lastWarmed)}` : ''}
        </li>
        <li>
          out: generation {live.generation} — {formatCount(live.entries)} entries, about {formatMemoryMB(live.memoryMB)}
        </li>
      </ul>
      <p className="muted">
        Generation {live.generation} is kept as the previous one for the retention period, so you can roll forward
        again. Query counters start afresh.
      </p>
    </ActionDialog>
  );
}
