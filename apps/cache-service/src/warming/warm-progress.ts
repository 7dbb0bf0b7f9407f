/** Less streaming than this and the rate says more about start-up than about the warm: no ETA yet. */
export const MIN_RATE_WINDOW_MS = 500;

/**
 * Progress figures of a running warm. The rate behind the ETA is measured from the first rows the source sends,
 * not from the job's start: counting the source and opening its snapshot take a while and read no rows, so a rate
 * over the whole time made the first ETA of a 2 s warm read 1,533 s. Paused time does not count.
 */
export class WarmProgress {
  private firstRowsAt: number | null = null;
  private rowsAtFirst = 0;

  /** Called whenever rows arrive, after counting them: the first call starts the clock (its rows are not part of the rate). */
  rowsArriving(now: number, rowsRead: number): void {
    if (this.firstRowsAt !== null) return;
    this.firstRowsAt = now;
    this.rowsAtFirst = rowsRead;
  }

  /** Seconds left at the rate since the first rows; null until that rate has been measured long enough. */
  etaSeconds(now: number, rowsRead: number, rowsTotal: number, pausedMs: number): number | null {
    if (this.firstRowsAt === null || rowsTotal <= 0) return null;
    if (rowsRead >= rowsTotal) return 0;
    const streamingMs = now - this.firstRowsAt - pausedMs;
    const streamed = rowsRead - this.rowsAtFirst;
    if (streamingMs < MIN_RATE_WINDOW_MS || streamed <= 0) return null;
    return Math.ceil(((rowsTotal - rowsRead) * streamingMs) / streamed / 1000);
  }
}

/** Percent for the job row (two decimals, below 100 until the swap: 100 means live). */
export const rowPercent = (rowsRead: number, rowsTotal: number): number =>
  rowsTotal > 0 ? Math.min(99.99, Math.round((rowsRead / rowsTotal) * 10000) / 100) : 0;

/** Percent for the queue (BullMQ progress: a whole number 0–99 while running; the worker sets 100 at the swap). */
export const queuePercent = (rowsRead: number, rowsTotal: number): number =>
  rowsTotal > 0 ? Math.min(99, Math.floor((rowsRead / rowsTotal) * 100)) : 0;
