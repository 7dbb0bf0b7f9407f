/** A repeating timer started by a Clock. */
export interface Timer {
  stop(): void;
}

/**
 * The time the service's time-dependent logic reads, and its timers: one provider (PlatformModule), so that tests
 * move time on instead of sleeping. Never keeps the process alive.
 */
export abstract class Clock {
  abstract now(): Date;
  /** Calls `fn` every `everyMs`, the first time after `firstAfterMs` (default: `everyMs`), until stopped. */
  abstract every(everyMs: number, fn: () => unknown, firstAfterMs?: number): Timer;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  every(everyMs: number, fn: () => unknown, firstAfterMs = everyMs): Timer {
    let interval: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      void fn();
      interval = setInterval(() => void fn(), everyMs);
      interval.unref();
    }, firstAfterMs);
    first.unref();
    return {
      stop: () => {
        clearTimeout(first);
        clearInterval(interval);
      },
    };
  }
}
