// A worker thread that PINGs Redis every ~1 ms on its own connection and records each round trip,
// so that the probe measures Redis's stalls, not the event loop of the process doing the work.
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

const redis = new Redis(workerData.url, { connectionName: 'bench-ping-probe' });
const samples = [];
let phase = null;
let running = true;

parentPort.on('message', (message) => {
  if (message.type === 'phase') {
    phase = message.name;
    parentPort.postMessage({ type: 'phase-started', name: phase });
  } else if (message.type === 'collect') {
    const picked = samples.filter((s) => s.phase === message.name).map((s) => s.ms);
    parentPort.postMessage({ type: 'samples', name: message.name, samples: picked });
  } else if (message.type === 'stop') {
    running = false;
  }
});

await redis.ping();
parentPort.postMessage({ type: 'ready' });
while (running) {
  const current = phase;
  const started = performance.now();
  await redis.ping();
  if (current) samples.push({ phase: current, ms: performance.now() - started });
  await sleep(1);
}
redis.disconnect();
parentPort.close();
