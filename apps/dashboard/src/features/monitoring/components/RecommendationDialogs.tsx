import { COMMENT_MAX_LENGTH, type Recommendation } from '@ccc/shared-types';
import { useState } from 'react';
import { ActionDialog } from '../../../components/ui/Dialog';
import { datasourceLabel } from '../../../lib/format';
import { useDecideRecommendation } from '../hooks/useRecommendations';
import { formatImprovement, RECOMMENDATION_TYPE_LABELS } from '../labels';
import { ApiErrorMessage } from './ApiErrorMessage';
import { ConfigDiff } from './ConfigDiff';

const NOTES_MAX = COMMENT_MAX_LENGTH;

function name(recommendation: Recommendation): string {
  return `${RECOMMENDATION_TYPE_LABELS[recommendation.recommendationType]} for ${datasourceLabel(recommendation.datasourceId, recommendation.datasourceName)}`;
}

function NotesField({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>Notes (optional)</label>
      <textarea
        id={id}
        rows={2}
        maxLength={NOTES_MAX}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  );
}

/** Implementing changes the live configuration: the dialog shows what changes, key by key, first. */
export function ImplementDialog({ recommendation, onClose }: { recommendation: Recommendation; onClose: () => void }) {
  const decide = useDecideRecommendation();
  const [notes, setNotes] = useState('');
  return (
    <ActionDialog
      title={`Implement: ${name(recommendation)}?`}
      confirmLabel="Implement"
      pendingLabel="Implementing…"
      wide
      pending={decide.isPending}
      error={decide.isError ? <ApiErrorMessage error={decide.error} /> : null}
      onCancel={onClose}
      onConfirm={() =>
        decide.mutate(
          { id: recommendation.id, decision: 'implement', notes: notes.trim() || undefined },
          { onSuccess: onClose },
        )
      }
      description={<p>{recommendation.recommendationDescription}</p>}
    >
      <p className="small">
        Expected:{' '}
        <strong>{formatImprovement(recommendation.estimatedImprovement, recommendation.improvementMetric)}</strong>
      </p>
      <ConfigDiff
        label={name(recommendation)}
        current={recommendation.currentConfiguration}
        recommended={recommendation.recommendedConfiguration}
        testId="implement-diff"
      />
      <NotesField id="implement-notes" value={notes} onChange={setNotes} />
    </ActionDialog>
  );
}

export function RejectDialog({ recommendation, onClose }: { recommendation: Recommendation; onClose: () => void }) {
  const decide = useDecideRecommendation();
  const [notes, setNotes] = useState('');
  return (
    <ActionDialog
      title={`Reject: ${name(recommendation)}?`}
      confirmLabel="Reject"
      pendingLabel="Rejecting…"
      tone="danger"
      pending={decide.isPending}
      error={decide.isError ? <ApiErrorMessage error={decide.error} /> : null}
      onCancel={onClose}
      onConfirm={() =>
        decide.mutate(
          { id: recommendation.id, decision: 'reject', notes: notes.trim() || undefined },
          { onSuccess: onClose },
        )
      }
      description={
        <>
          <p>{recommendation.recommendationDescription}</p>
          <p className="muted small">
            The configuration stays as it is. A rejected recommendation is not suggested again for the same target while
            it is rejected.
          </p>
        </>
      }
    >
      <NotesField id="reject-notes" value={notes} onChange={setNotes} />
    </ActionDialog>
  );
}
