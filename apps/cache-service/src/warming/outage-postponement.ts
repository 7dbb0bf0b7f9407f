import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { classifyFailure } from '../common/infrastructure-errors.js';

/** How long a warm that met an outage waits before it runs again. */
export const OUTAGE_RETRY_MS = 5_000;

/**
 * A warm that failed because PostgreSQL or Redis is away (down, unreachable) is put back on the queue for a later
 * try without using up one of its attempts: an outage longer than the attempts' backoff would otherwise fail every
 * attempt while nobody can record why, and leave the job's row showing a warm that runs forever. When the queue
 * itself cannot be reached (Redis is the one away), the error goes to BullMQ as it is, which retries by the job's
 * options once Redis is back.
 */
export async function postponeOnOutage(job: Job, queueToken: string | undefined, error: unknown): Promise<never> {
  // An UnrecoverableError closes a job whose row already says why it failed (whatever its message reads like).
  // Only a connection lost or refused: a statement timeout or a full server may be the warm's own doing (a role's
  // statement_timeout shorter than its COPY), and must use up attempts rather than come back forever.
  if (!queueToken || error instanceof UnrecoverableError || classifyFailure(error)?.kind !== 'unavailable') throw error;
  try {
    await job.moveToDelayed(Date.now() + OUTAGE_RETRY_MS, queueToken);
  } catch {
    throw error;
  }
  throw new DelayedError();
}
