import type { WarmOutcome } from '@ccc/shared-types';
import { Badge, type Tone } from '../../../components/ui/Badge';
import { datasourceLabel, formatSpan } from '../../../lib/format';
import { actionErrorMessage } from '../action-error';
import type { useWarmCache } from '../hooks/useWarmCache';

const OUTCOME_META: Record<WarmOutcome, { label: string; tone: Tone }> = {
  queued: { label: 'Queued', tone: 'ok' },
  already_warming: { label: 'Already warming', tone: 'warn' },
  skipped: { label: 'Skipped', tone: 'neutral' },
};

interface WarmFeedbackProps {
  warm: ReturnType<typeof useWarmCache>;
  /** Datasource names by id, to say which datasource each outcome is about. */
  names: ReadonlyMap<number, string>;
}

/** What a warm request did for each datasource (queued, already warming, skipped and why), or why it failed. */
export function WarmFeedback({ warm, names }: WarmFeedbackProps) {
  if (warm.isError) {
    return (
      <div className="callout callout-error callout-dismissible" role="alert" data-testid="warm-error">
        <p>{actionErrorMessage(warm.error, 'warming')}</p>
        <DismissButton onClick={() => warm.reset()} />
      </div>
    );
  }
  if (!warm.data) return null;

  const { results, estimatedDuration } = warm.data;
  const queued = results.filter((result) => result.status === 'queued').length;
  const headline =
    queued === 0
      ? 'Nothing was queued.'
      : `Warming queued for ${queued} ${queued === 1 ? 'datasource' : 'datasources'}${
          estimatedDuration > 0 ? ` (about ${formatSpan(estimatedDuration)})` : ''
        }.`;
  return (
    <div className="callout callout-info callout-dismissible" role="status" data-testid="warm-results">
      <div>
        <p>
          <strong>{headline}</strong>
        </p>
        <ul className="warm-results">
          {results.map((result) => {
            const meta = OUTCOME_META[result.status];
            return (
              <li key={result.datasourceId} data-testid={`warm-result-${result.datasourceId}`}>
                {datasourceLabel(result.datasourceId, names.get(result.datasourceId))}:{' '}
                <Badge tone={meta.tone}>{meta.label}</Badge>
                {result.reason && <span className="muted"> — {result.reason}</span>}
              </li>
            );
          })}
        </ul>
      </div>
      <DismissButton onClick={() => warm.reset()} />
    </div>
  );
}

function DismissButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="toast-close" aria-label="Dismiss" onClick={onClick}>
      ×
    </button>
  );
}
