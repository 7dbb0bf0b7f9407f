import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';

/**
 * The correlation id of the work in progress, carried across async boundaries by nestjs-pino's logging context:
 * set per HTTP request (request-logging.ts), and per queue job from the id the job carries (JobRepository), so
 * a warm's worker lines share the id of the request that queued it.
 */
@Injectable()
export class CorrelationContext {
  constructor(private readonly pino: PinoLogger) {}

  /** The current request's or job's correlation id; undefined outside both (start-up, timers). */
  current(): string | undefined {
    try {
      const id: unknown = this.pino.logger.bindings().correlationId;
      return typeof id === 'string' ? id : undefined;
    } catch {
      return undefined;
    }
  }

  /** Runs `work` with every log line it causes carrying `correlationId`. */
  run<T>(correlationId: string, work: () => T): T {
    return this.pino.runInContext(work, { bindings: { correlationId } });
  }
}
