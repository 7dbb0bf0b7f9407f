import { useState } from 'react';
import { ApiError, request } from '../../../lib/api-client';
import { useSession } from '../../../lib/session';

/** Where the service mounts bull-board (read-only, admins only). */
export const QUEUE_BOARD_URL = '/admin/queues';

/**
 * Admins only: opens the queue board. A browser navigating there sends no bearer token, so the service is first asked
 * for the board's session cookie (HttpOnly, sent to /admin/queues only).
 */
export function QueueBoardLink() {
  const { user } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  if (user?.role !== 'admin') return null;

  const open = async (): Promise<void> => {
    setOpening(true);
    setError(null);
    try {
      await request<void>('POST', '/api/admin/queue-board/session');
      window.location.assign(QUEUE_BOARD_URL);
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.message : 'Could not open the queue board');
      setOpening(false);
    }
  };

  return (
    <>
      <a
        href={QUEUE_BOARD_URL}
        className="button button-secondary"
        aria-disabled={opening}
        onClick={(event) => {
          event.preventDefault();
          if (!opening) void open();
        }}
      >
        Queue board
      </a>
      {error && <span role="alert">{error}</span>}
    </>
  );
}
