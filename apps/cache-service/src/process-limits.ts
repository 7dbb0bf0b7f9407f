import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { getConfig } from './config/app-config.js';

/**
 * Semi-space size a worker's young generation grows to at most (Node's default: 16 MB on 64-bit). Measured in the
 * bench (process-size): with 16 MB a worker was ~25 MB larger idle and during a warm than with 4 MB; below 4 MB the
 * many more young collections slow a warm down noticeably.
 */
export const WORKER_SEMI_SPACE_MB = 4;

/**
 * A worker's heap tuned for what it does (imported first by main.ts, before the rest of the service is loaded). A
 * warm allocates ~1 GB per million rows, nearly all of it short-lived, but what is still in flight at a
 * young-generation collection (batches on their way to Redis) is promoted; by default V8 lets the old generation
 * grow by about its live size before collecting it, so a worker grew by ~50 MB during a 1M-row warm. Growing it by
 * 10 % between full collections keeps that to about half, at the price of a few more (short) full collections.
 * And the young generation is capped (capYoungGeneration). Both V8 flags are read at each collection, so setting
 * them at run time takes effect; Node does not accept the first in NODE_OPTIONS, and the second is the only way to
 * bound the young generation without one. An invalid configuration is left to main.ts to report.
 */
function tuneHeap(): void {
  let role: string;
  try {
    role = getConfig().role;
  } catch {
    return;
  }
  if (role !== 'worker') return;
  setFlagsFromString('--heap-growing-percent=10');
  capYoungGeneration(WORKER_SEMI_SPACE_MB);
}

/**
 * Keeps the young generation at no more than `semiSpaceMb` per semi-space, the run-time counterpart of
 * `--max-semi-space-size` (a start-up flag, which would need NODE_OPTIONS on every worker). V8 doubles the new
 * space (`--semi-space-growth-factor`, read at each growth) when much of it survives; after every collection the
 * factor is set to 1 once the cap is reached, and back to 2 if V8 has shrunk it below. Installed before the service
 * is loaded, so that start-up does not grow it first. `--max-semi-space-size` in NODE_OPTIONS still wins when lower.
 * Verified on Node 20's V8; a V8 that ignored the factor set at run time would let it grow as by default, and the
 * process warns once (docs/operations.md: process size).
 */
function capYoungGeneration(semiSpaceMb: number): void {
  // new_space's size counts both semi-spaces.
  const capBytes = 2 * semiSpaceMb * 1024 * 1024;
  let frozen = false;
  const observer = new PerformanceObserver(() => adjust());
  const adjust = (): void => {
    const size = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
    if (size > 2 * capBytes) {
      // Grown twice past the cap: this V8 does not take the factor at run time (the cap is not kept, say so).
      observer.disconnect();
      process.emitWarning(
        `the young generation grew to ${Math.round(size / 1048576)} MB despite its cap: set NODE_OPTIONS=--max-semi-space-size=${semiSpaceMb} on workers`,
      );
      return;
    }
    const atCap = size >= capBytes;
    if (atCap === frozen) return;
    setFlagsFromString(`--semi-space-growth-factor=${atCap ? 1 : 2}`);
    frozen = atCap;
  };
  observer.observe({ entryTypes: ['gc'] });
  adjust();
}

tuneHeap();
