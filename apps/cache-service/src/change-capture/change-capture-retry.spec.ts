import { refreshRetryDelayMs } from './change-capture.service.js';

describe('refreshRetryDelayMs', () => {
  it('waits a second after a first failure, doubles with each failure in a row, and never more than a minute', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(refreshRetryDelayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });
});
