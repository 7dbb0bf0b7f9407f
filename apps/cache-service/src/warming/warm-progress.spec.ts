import { MIN_RATE_WINDOW_MS, queuePercent, rowPercent, WarmProgress } from './warm-progress.js';

describe('warm progress', () => {
  it('gives no ETA before rows have streamed for a while, then one from the streaming rate only', () => {
    const progress = new WarmProgress();
    // 1.5 s of counting and opening the snapshot before the first rows: not part of the rate.
    expect(progress.etaSeconds(1_500, 0, 1_000_000, 0)).toBeNull();
    progress.rowsArriving(1_500, 0);
    expect(progress.etaSeconds(1_600, 50_000, 1_000_000, 0)).toBeNull();
    // 500 000 rows in 1 s of streaming: 500 000 left is 1 s, not the 1,533 s a rate from the job's start gave.
    expect(progress.etaSeconds(1_500 + 1_000, 500_000, 1_000_000, 0)).toBe(1);
    expect(progress.etaSeconds(1_500 + MIN_RATE_WINDOW_MS + 500, 1_000_000, 1_000_000, 0)).toBe(0);
  });

  it('leaves paused time out of the rate', () => {
    const progress = new WarmProgress();
    progress.rowsArriving(0, 0);
    expect(progress.etaSeconds(11_000, 100_000, 200_000, 10_000)).toBe(1);
  });

  it('reports whole percents to the queue below 100 and two decimals below 100 on the row', () => {
    expect(queuePercent(999, 1000)).toBe(99);
    expect(queuePercent(1000, 1000)).toBe(99);
    expect(queuePercent(0, 0)).toBe(0);
    expect(rowPercent(1, 3)).toBe(33.33);
    expect(rowPercent(1000, 1000)).toBe(99.99);
  });
});
