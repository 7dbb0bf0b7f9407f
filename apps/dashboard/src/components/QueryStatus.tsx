import { ApiError } from '../lib/api-client';
import { errorMessage } from '../lib/query-client';

/** Loading and error placeholders shared by pages that load one resource. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}
    </p>
  );
}

export function LoadError({ error, notFoundMessage }: { error: unknown; notFoundMessage?: string }) {
  const message =
    error instanceof ApiError && error.status === 404 && notFoundMessage ? notFoundMessage : errorMessage(error);
  const fields = error instanceof ApiError ? error.fields : [];
  return (
    <div className="callout callout-error" role="alert">
      <p>{message}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map(({ field, messages }) => (
            <li key={field}>{messages.join(' ')}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
