import { ApiError } from '../../../lib/api-client';
import { errorMessage } from '../../../lib/query-client';

/** The server's message and, for a 400, what was wrong with each field. */
export function ApiErrorMessage({ error }: { error: unknown }) {
  const fields = error instanceof ApiError ? error.fields : [];
  return (
    <>
      <p>{errorMessage(error)}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map(({ field, messages }) => (
            <li key={field}>{messages.join(' ')}</li>
          ))}
        </ul>
      )}
    </>
  );
}
