// The bench side of ping-probe.mjs: starts the probe worker, names phases, and summarizes the PING round
// trips recorded during one phase (max, p99, p50). A phase's samples are what Redis made a bystander wait.
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';

export function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { probes: sorted.length, max: sorted.at(-1) ?? 0, p99: percentile(sorted, 99), p50: percentile(sorted, 50) };
}

export class PingProbe {
  constructor(url) {
    this.worker = new Worker(new URL('./ping-probe.mjs', import.meta.url), { workerData: { url } });
    this.waiters = [];
    this.worker.on('message', (message) => {
      const index = this.waiters.findIndex((w) => w.match(message));
      if (index >= 0) this.waiters.splice(index, 1)[0].resolve(message);
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
  }

  next(match, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error('the PING probe did not answer within 10 s'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  ready() {
    return this.next((m) => m.type === 'ready');
  }

  /** Starts recording under `name`; resolves once a few probes are in flight. */
  async phase(name) {
    const started = this.next((m) => m.type === 'phase-started' && m.name === name);
    this.worker.postMessage({ type: 'phase', name });
    await started;
    await sleep(20);
  }

  async collect(name) {
    const reply = this.next((m) => m.type === 'samples' && m.name === name);
    this.worker.postMessage({ type: 'collect', name });
    return summarize((await reply).samples);
  }

  async stop() {
    this.worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => this.worker.terminate(), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
