import { StallWatchdog, WarmStalled } from './stall-watchdog.js';

describe('StallWatchdog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('aborts with a reason naming the phase and the variable once nothing moved for the timeout', () => {
    const watchdog = new StallWatchdog(2_000);
    watchdog.progress('streaming the source rows into Redis');
    jest.advanceTimersByTime(1_500);
    expect(watchdog.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1_000);
    expect(watchdog.signal.aborted).toBe(true);
    expect(watchdog.stall).toBeInstanceOf(WarmStalled);
    expect(watchdog.stall?.message).toMatch(
      /no progress for 2 s while streaming the source rows into Redis \(WARM_STALL_TIMEOUT_MS\)/,
    );
    expect(() => watchdog.throwIfStalled()).toThrow(WarmStalled);
    watchdog.stop();
  });

  it('is kept quiet by progress, and does not watch a paused warm', () => {
    const watchdog = new StallWatchdog(2_000);
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(1_000);
      watchdog.progress();
    }
    watchdog.suspend();
    jest.advanceTimersByTime(60_000);
    expect(watchdog.signal.aborted).toBe(false);
    watchdog.resume();
    jest.advanceTimersByTime(1_000);
    expect(watchdog.stall).toBeNull();
    jest.advanceTimersByTime(2_000);
    expect(watchdog.stall).not.toBeNull();
    watchdog.stop();
  });

  it('adds up the wall-clock time of each phase, for the log line of the warm', () => {
    const watchdog = new StallWatchdog(60_000);
    jest.advanceTimersByTime(10);
    watchdog.progress('carrying');
    jest.advanceTimersByTime(300);
    watchdog.progress();
    jest.advanceTimersByTime(200);
    watchdog.progress('swapping');
    jest.advanceTimersByTime(5);
    expect(watchdog.timings()).toEqual({ starting: 10, carrying: 500, swapping: 5 });
    watchdog.stop();
  });
});
