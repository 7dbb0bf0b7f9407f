/** A warm ended because it made no progress for WARM_STALL_TIMEOUT_MS: retried by the job's normal attempts. */
export class WarmStalled extends Error {}

/**
 * Watches a running warm's progress. A warm can hang without failing: a network path that drops packets without a
 * reset leaves a COPY or a Redis write waiting forever, while BullMQ's own lock (renewed by a healthy event loop)
 * and the warming lock's lease (renewed by a timer) both stay fresh. When nothing moves for `timeoutMs`, the
 * watchdog aborts its signal: the source read tears its connection down, the next checkpoint throws, and the warm
 * ends with the stall as its reason. A paused warm is idle on purpose and is not watched.
 */
export class StallWatchdog {
  private last = Date.now();
  private phase = 'starting';
  private phaseStarted = Date.now();
  /** Wall-clock ms per finished phase, for the warm's log line: where a refresh's time goes. */
  private readonly spent = new Map<string, number>();
  private suspended = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly timeoutMs: number) {
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(1_000, Math.floor(timeoutMs / 4))));
    this.timer.unref();
  }

  /** Aborted (with the WarmStalled error as its reason) once the warm is found stuck. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The stall that ended the warm, or null. */
  get stall(): WarmStalled | null {
    return this.controller.signal.aborted ? (this.controller.signal.reason as WarmStalled) : null;
  }

  /** Something moved (rows read, a batch written); `phase` names what the warm is doing, for the error. */
  progress(phase?: string): void {
    const now = Date.now();
    this.last = now;
    if (!phase || phase === this.phase) return;
    this.spent.set(this.phase, (this.spent.get(this.phase) ?? 0) + now - this.phaseStarted);
    this.phase = phase;
    this.phaseStarted = now;
  }

  /** Wall-clock ms spent in each phase so far (the current one up to now), in the order they began. */
  timings(): Record<string, number> {
    const timings = Object.fromEntries(this.spent);
    timings[this.phase] = (timings[this.phase] ?? 0) + Date.now() - this.phaseStarted;
    return timings;
  }

  suspend(): void {
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    this.last = Date.now();
  }

  throwIfStalled(): void {
    if (this.stall) throw this.stall;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.suspended || this.controller.signal.aborted || Date.now() - this.last < this.timeoutMs) return;
    const seconds = Math.round(this.timeoutMs / 100) / 10;
    this.controller.abort(
      new WarmStalled(
        `the warm made no progress for ${seconds} s while ${this.phase} (WARM_STALL_TIMEOUT_MS): stopped and retried; if it stalls again, check the network path to PostgreSQL and Redis`,
      ),
    );
  }
}
