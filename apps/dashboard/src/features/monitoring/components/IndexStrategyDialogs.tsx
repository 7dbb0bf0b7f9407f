import {
  INDEX_USAGE_PATTERNS,
  MAINTENANCE_WINDOWS,
  type IndexStrategy,
  type IndexUsagePattern,
  type MaintenanceWindow,
} from '@ccc/shared-types';
import { useState } from 'react';
import { ActionDialog } from '../../../components/ui/Dialog';
import { ApiError } from '../../../lib/api-client';
import { useDeleteIndexStrategy, useUpdateIndexStrategy } from '../hooks/useIndexes';
import { USAGE_PATTERN_LABELS, WINDOW_LABELS } from '../index-labels';
import { ApiErrorMessage } from './ApiErrorMessage';

export function EditIndexStrategyDialog({ strategy, onClose }: { strategy: IndexStrategy; onClose: () => void }) {
  const update = useUpdateIndexStrategy();
  const [usagePattern, setUsagePattern] = useState<IndexUsagePattern>(strategy.usagePattern);
  const [buildWindow, setBuildWindow] = useState<MaintenanceWindow>(strategy.maintenanceWindow);
  const [scheduledAt, setScheduledAt] = useState(strategy.scheduledAt ? toLocalInput(strategy.scheduledAt) : '');
  const [isMonitoring, setIsMonitoring] = useState(strategy.isMonitoring);
  const missingTime = buildWindow === 'SCHEDULED' && !scheduledAt;
  return (
    <ActionDialog
      title={`Edit ${strategy.indexName}`}
      confirmLabel="Save"
      pendingLabel="Saving…"
      confirmDisabled={missingTime}
      pending={update.isPending}
      error={update.isError ? <ApiErrorMessage error={update.error} /> : null}
      onCancel={onClose}
      onConfirm={() =>
        update.mutate(
          {
            id: strategy.id,
            body: {
              usagePattern,
              maintenanceWindow: buildWindow,
              scheduledAt: buildWindow === 'SCHEDULED' ? new Date(scheduledAt).toISOString() : null,
              isMonitoring,
            },
          },
          { onSuccess: onClose },
        )
      }
    >
      <p>
        <code className="small">{strategy.indexDefinition}</code>
      </p>
      <div className="field">
        <label htmlFor="edit-index-usage">Used for</label>
        <select
          id="edit-index-usage"
          value={usagePattern}
          onChange={(event) => setUsagePattern(event.target.value as IndexUsagePattern)}
        >
          {INDEX_USAGE_PATTERNS.map((p) => (
            <option key={p} value={p}>
              {USAGE_PATTERN_LABELS[p]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="edit-index-window">Build window</label>
        <select
          id="edit-index-window"
          value={buildWindow}
          onChange={(event) => setBuildWindow(event.target.value as MaintenanceWindow)}
        >
          {MAINTENANCE_WINDOWS.map((w) => (
            <option key={w} value={w}>
              {WINDOW_LABELS[w]}
            </option>
          ))}
        </select>
      </div>
      {buildWindow === 'SCHEDULED' && (
        <div className="field">
          <label htmlFor="edit-index-scheduled">Build at (local time)</label>
          <input
            id="edit-index-scheduled"
            type="datetime-local"
            value={scheduledAt}
            onChange={(event) => setScheduledAt(event.target.value)}
          />
        </div>
      )}
      <div className="field field-inline">
        <label>
          <input type="checkbox" checked={isMonitoring} onChange={(event) => setIsMonitoring(event.target.checked)} />{' '}
          Monitor its usage
        </label>
      </div>
    </ActionDialog>
  );
}

/** The 409 the service answers when the index exists and the request did not ask to drop it. */
function needsDropIndex(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && error.details.field === 'dropIndex';
}

/**
 * Deleting a strategy whose index exists drops the index too (the service refuses to leave it behind
 * silently). The list may be stale about that: a 409 naming dropIndex turns the dialog into the drop.
 */
export function DeleteIndexStrategyDialog({ strategy, onClose }: { strategy: IndexStrategy; onClose: () => void }) {
  const remove = useDeleteIndexStrategy();
  const [dropIndex, setDropIndex] = useState(strategy.isCreated);
  const foundInDatabase = !strategy.isCreated && dropIndex;
  const error = remove.isError && !needsDropIndex(remove.error) ? <ApiErrorMessage error={remove.error} /> : null;
  return (
    <ActionDialog
      title={`Delete the strategy ${strategy.indexName}?`}
      confirmLabel={dropIndex ? 'Drop index and delete' : 'Delete strategy'}
      pendingLabel={dropIndex ? 'Dropping…' : 'Deleting…'}
      tone="danger"
      pending={remove.isPending}
      error={error}
      onCancel={onClose}
      onConfirm={() =>
        remove.mutate(
          { id: strategy.id, dropIndex },
          {
            onSuccess: onClose,
            onError: (failure) => {
              if (needsDropIndex(failure)) setDropIndex(true);
            },
          },
        )
      }
      description={
        dropIndex ? (
          <p data-testid="drop-index-note">
            {foundInDatabase ? 'The index turned out to exist in the database. ' : 'The index exists in the database. '}
            Deleting the strategy drops <code>{strategy.indexName}</code> from <code>{strategy.tableName}</code> too
            (concurrently, without blocking writes).
          </p>
        ) : (
          <p>The index was never built, so nothing changes in the database.</p>
        )
      }
    />
  );
}

/** ISO → the value a datetime-local input shows, in local time. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const offset = date.getTimezoneOffset() * 60_000;
  return new Date(date.getTime() - offset).toISOString().slice(0, 16);
}
