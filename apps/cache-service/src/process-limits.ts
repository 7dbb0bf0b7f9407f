import { setFlagsFromString } from 'node:v8';
import { getConfig } from './config/app-config.js';

/**
 * A worker's heap tuned for what it does (imported first by main.ts, before the framework is loaded). A warm
 * allocates ~1 GB per million rows, nearly all of it short-lived, but what is still in flight at a young-generation
 * collection (batches on their way to Redis) is promoted; by default V8 lets the old generation grow by about its
 * live size before collecting it, so a worker grew by ~50 MB during a 1M-row warm. Growing it by 10 % between
 * full collections keeps that to about half, at the price of a few more (short) full collections. This V8 flag is
 * read at each collection, so setting it at run time takes effect; Node does not accept it in NODE_OPTIONS.
 * An invalid configuration is left to main.ts to report.
 */
function tuneHeap(): void {
  let role: string;
  try {
    role = getConfig().role;
  } catch {
    return;
  }
  if (role === 'worker') setFlagsFromString('--heap-growing-percent=10');
}

tuneHeap();
