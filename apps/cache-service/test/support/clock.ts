import { Clock, type Timer } from '../../src/platform/clock.js';

/**
 * A clock the test moves: `now()` stands still until `advance`, which fires the timers falling due on the way, in
 * order, each awaited (so a periodic round has finished when `advance` returns). Starts at the real time.
 */
export class ManualClock extends Clock {
  private at: number;
  private readonly timers = new Set<{ due: number; everyMs: number; fn: () => unknown }>();

  constructor(start = Date.now()) {
    super();
    this.at = start;
  }

  now(): Date {
    return new Date(this.at);
  }

  every(everyMs: number, fn: () => unknown, firstAfterMs = everyMs): Timer {
    const timer = { due: this.at + firstAfterMs, everyMs, fn };
    this.timers.add(timer);
    return { stop: () => this.timers.delete(timer) };
  }

  async advance(ms: number): Promise<void> {
    const target = this.at + ms;
    for (;;) {
      const next = [...this.timers].filter((t) => t.due <= target).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.at = next.due;
      next.due += next.everyMs;
      await next.fn();
    }
    this.at = target;
  }

  /** Fires the timers due now (e.g. a lease renewal) without moving time. */
  async tick(): Promise<void> {
    await this.advance(0);
  }
}
