import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';

/** The async context of the work in progress: its correlation id, nothing else. */
interface Correlation {
  readonly correlationId: string;
}

const storage = new AsyncLocalStorage<Correlation>();

/**
 * The correlation id of the current request or job, for the root logger's mixin (request-logging.ts): every line
 * written while a request or job runs carries it. Read when a line is written, not bound ahead: nestjs-pino's
 * context made a child logger for every request (its bindings serialised up front), which costed the query route
 * more than the lines it ever wrote.
 */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/**
 * The correlation id of the work in progress, carried across async boundaries: set per HTTP request
 * (configure-http.ts), and per queue job from the id the job carries (JobRepository), so a warm's worker lines share
 * the id of the request that queued it.
 */
@Injectable()
export class CorrelationContext {
  /** The current request's or job's correlation id; undefined outside both (start-up, timers). */
  current(): string | undefined {
    return currentCorrelationId();
  }

  /** Runs `work` with every log line it causes carrying `correlationId`. */
  run<T>(correlationId: string, work: () => T): T {
    return storage.run({ correlationId }, work);
  }
}
