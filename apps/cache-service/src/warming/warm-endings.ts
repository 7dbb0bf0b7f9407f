// The ways a warm ends other than by completing, as the worker (warming.processor.ts) throws and tells them apart.

/** Ends a warm early; `status` is what the job row becomes. */
export class WarmAborted extends Error {
  constructor(
    readonly status: 'CANCELLED' | 'FAILED',
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/**
 * Another execution of the same job took the warming lock over (BullMQ handed the job, thought stalled, to
 * another worker while this one was still alive): this execution stops without touching the job's row,
 * lock or control key, which are the newer execution's now.
 */
export class Superseded extends Error {}

/** The service is stopping: the warm hands its job back to the queue, for another worker (or this one after a restart). */
export class ShuttingDown extends Error {}
