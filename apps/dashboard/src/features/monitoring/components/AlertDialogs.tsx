import { COMMENT_MAX_LENGTH, type CacheAlert } from '@ccc/shared-types';
import { useState } from 'react';
import { ActionDialog } from '../../../components/ui/Dialog';
import { datasourceLabel } from '../../../lib/format';
import { useAcknowledgeAlert, useResolveAlert } from '../hooks/useAlerts';
import { ALERT_TYPE_LABELS } from '../labels';
import { ApiErrorMessage } from './ApiErrorMessage';

const COMMENT_MAX = COMMENT_MAX_LENGTH;

function alertName(alert: CacheAlert): string {
  const where = alert.datasourceId !== null ? ` on ${datasourceLabel(alert.datasourceId, alert.datasourceName)}` : '';
  return `${ALERT_TYPE_LABELS[alert.alertType]}${where}`;
}

/** Acknowledging says what is being done about it: the comment is required. */
export function AcknowledgeDialog({ alert, onClose }: { alert: CacheAlert; onClose: () => void }) {
  const acknowledge = useAcknowledgeAlert();
  const [comment, setComment] = useState('');
  const trimmed = comment.trim();
  return (
    <ActionDialog
      title={`Acknowledge alert: ${alertName(alert)}`}
      confirmLabel="Acknowledge"
      pendingLabel="Acknowledging…"
      confirmDisabled={trimmed.length === 0}
      pending={acknowledge.isPending}
      error={acknowledge.isError ? <ApiErrorMessage error={acknowledge.error} /> : null}
      onCancel={onClose}
      onConfirm={() => acknowledge.mutate({ id: alert.id, comment: trimmed }, { onSuccess: onClose })}
      description={<p>{alert.alertMessage}</p>}
    >
      <div className="field">
        <label htmlFor="ack-comment">Comment (required)</label>
        <textarea
          id="ack-comment"
          rows={3}
          maxLength={COMMENT_MAX}
          value={comment}
          placeholder="What is being done about it, e.g. “Warming Revenue Analytics now”"
          onChange={(event) => setComment(event.target.value)}
        />
        <p className="field-hint">
          Tell the team what you are doing about this alert. {COMMENT_MAX - comment.length} characters left.
        </p>
      </div>
    </ActionDialog>
  );
}

export function ResolveDialog({ alert, onClose }: { alert: CacheAlert; onClose: () => void }) {
  const resolve = useResolveAlert();
  const [comment, setComment] = useState('');
  return (
    <ActionDialog
      title={`Resolve alert: ${alertName(alert)}`}
      confirmLabel="Resolve"
      pendingLabel="Resolving…"
      pending={resolve.isPending}
      error={resolve.isError ? <ApiErrorMessage error={resolve.error} /> : null}
      onCancel={onClose}
      onConfirm={() => resolve.mutate({ id: alert.id, comment: comment.trim() || undefined }, { onSuccess: onClose })}
      description={
        <>
          <p>{alert.alertMessage}</p>
          <p className="muted small">
            An alert can be resolved once its last value is back within the threshold that applies (or that threshold
            was changed or switched off); until then, acknowledge it.
          </p>
        </>
      }
    >
      <div className="field">
        <label htmlFor="resolve-comment">Comment (optional)</label>
        <textarea
          id="resolve-comment"
          rows={3}
          maxLength={COMMENT_MAX}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
        />
      </div>
    </ActionDialog>
  );
}
