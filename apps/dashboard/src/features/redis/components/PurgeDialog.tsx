import { REDIS_KEY_TYPES, type RedisKeyType, type RedisPurgeRequest, type RedisPurgeResult } from '@ccc/shared-types';
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../../components/ui/Dialog';
import { formatCount } from '../../../lib/format';
import { errorMessage } from '../../../lib/query-client';
import { usePurge, usePurgeProgress } from '../hooks/useRedis';

interface Props {
  initialPattern: string;
  initialType?: RedisKeyType;
  onClose: () => void;
}

/** Purge: a dry run first (count and sample), then the user types the pattern to confirm the real run. */
export function PurgeDialog({ initialPattern, initialType, onClose }: Props) {
  const [pattern, setPattern] = useState(initialPattern);
  const [type, setType] = useState<'' | RedisKeyType>(initialType ?? '');
  const [allowProtected, setAllowProtected] = useState(false);
  const [confirmation, setConfirmation] = useState('');
  const [preview, setPreview] = useState<{ request: RedisPurgeRequest; result: RedisPurgeResult } | null>(null);
  const dryRun = usePurge();
  const realRun = usePurge();
  const started = realRun.data ?? null;
  const progress = usePurgeProgress(started?.purgeId ?? null, started?.status === 'running');
  const outcome = progress.data ?? started;

  const request: RedisPurgeRequest = {
    pattern: pattern.trim(),
    dryRun: true,
    ...(type ? { type } : {}),
    ...(allowProtected ? { allowProtected } : {}),
  };
  const previewIsCurrent =
    preview !== null &&
    preview.request.pattern === request.pattern &&
    preview.request.type === request.type &&
    Boolean(preview.request.allowProtected) === allowProtected;
  const canDelete =
    previewIsCurrent &&
    preview.result.matched > 0 &&
    confirmation === request.pattern &&
    !realRun.isPending &&
    !started;

  const onPreview = (event: FormEvent) => {
    event.preventDefault();
    setConfirmation('');
    dryRun.mutate(request, { onSuccess: (result) => setPreview({ request, result }) });
  };

  return (
    <Dialog
      title="Purge keys"
      description={
        <p className="muted">
          Deletes with SCAN and UNLINK in batches of 500. Queue keys, live-generation pointers, locks, rate limits and
          leases are refused unless you allow them.
        </p>
      }
      wide
      onClose={onClose}
      footer={
        <>
          {!started && (
            <button
              type="button"
              className="button button-danger"
              disabled={!canDelete}
              onClick={() => preview && realRun.mutate({ ...preview.request, dryRun: false })}
            >
              {realRun.isPending
                ? 'Deleting…'
                : previewIsCurrent
                  ? `Delete ${formatCount(preview.result.matched)} keys`
                  : 'Delete keys'}
            </button>
          )}
          <button type="button" className="button button-secondary" onClick={onClose}>
            {outcome?.status === 'completed' ? 'Done' : 'Close'}
          </button>
        </>
      }
    >
      <form onSubmit={onPreview} aria-label="Purge preview">
        <div className="field">
          <label htmlFor="purge-pattern">Pattern to purge</label>
          <input
            id="purge-pattern"
            type="text"
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
            placeholder="cache:{ds:1}:g3:*"
            disabled={!!started}
          />
        </div>
        <div className="field">
          <label htmlFor="purge-type">Only keys of type</label>
          <select
            id="purge-type"
            value={type}
            onChange={(e) => setType(e.target.value as '' | RedisKeyType)}
            disabled={!!started}
          >
            <option value="">Any</option>
            {REDIS_KEY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <label className="redis-checkbox">
          <input
            type="checkbox"
            checked={allowProtected}
            onChange={(e) => setAllowProtected(e.target.checked)}
            disabled={!!started}
          />{' '}
          Allow protected namespaces
        </label>
        <div className="form-actions">
          <button
            type="submit"
            className="button button-secondary"
            disabled={!request.pattern || dryRun.isPending || !!started}
          >
            {dryRun.isPending ? 'Counting…' : 'Preview (dry run)'}
          </button>
        </div>
      </form>
      {dryRun.isError && (
        <div className="callout callout-error" role="alert" data-testid="purge-error">
          <p>{errorMessage(dryRun.error)}</p>
        </div>
      )}
      {previewIsCurrent && (
        <div className="callout callout-info" data-testid="purge-preview">
          <p>
            <strong>
              {preview.result.countComplete ? '' : 'At least '}
              {formatCount(preview.result.matched)} keys
            </strong>{' '}
            match <code>{preview.request.pattern}</code>
            {preview.request.type ? ` (type ${preview.request.type})` : ''}. Nothing has been deleted yet.
          </p>
          {preview.result.sample.length > 0 && (
            <ul className="redis-sample" aria-label="Sample of the matching keys" tabIndex={0}>
              {preview.result.sample.map((key) => (
                <li key={key}>
                  <code>{key}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {previewIsCurrent && preview.result.matched > 0 && !started && (
        <div className="field">
          <label htmlFor="purge-confirm">Type the pattern to confirm</label>
          <input
            id="purge-confirm"
            type="text"
            value={confirmation}
            onChange={(e) => setConfirmation(e.target.value)}
            autoComplete="off"
          />
        </div>
      )}
      {realRun.isError && (
        <div className="callout callout-error" role="alert">
          <p>{errorMessage(realRun.error)}</p>
        </div>
      )}
      {outcome && (
        <div
          className={`callout ${outcome.status === 'failed' ? 'callout-error' : outcome.status === 'completed' ? 'callout-success' : 'callout-info'}`}
          role="status"
          data-testid="purge-result"
        >
          <p>
            {outcome.status === 'running' && `Purging… ${formatCount(outcome.deleted)} keys deleted so far.`}
            {outcome.status === 'completed' &&
              `Deleted ${formatCount(outcome.deleted)} keys in ${formatCount(outcome.batches)} batches.`}
            {outcome.status === 'failed' &&
              `The purge stopped after ${formatCount(outcome.deleted)} keys: ${outcome.error ?? 'unknown error'}`}
          </p>
        </div>
      )}
    </Dialog>
  );
}
