import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { freePort } from '../../support/redis-server.js';
import { TEST_SOURCE_SCHEMA } from '../../support/source-table.js';

const MAIN = join(__dirname, '..', '..', '..', 'dist', 'main.js');

/** A worker process: the built service in role `worker`, on the given Redis and database; its last stderr kept for a failure report. */
export interface WorkerProcess {
  child: ChildProcess;
  stderr(): string;
}

export async function startWorkerProcess(
  env: { REDIS_URL: string; DATABASE_URL: string },
  extra: Record<string, string> = {},
): Promise<WorkerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the service first (npm run build)`);
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      SOURCE_SCHEMAS: `demo_analytics,${TEST_SOURCE_SCHEMA}`,
      PORT: String(await freePort()),
      SERVICE_ROLE: 'worker',
      JWT_SECRET: 'test-secret-test-secret-test-secret-000',
      MONITORING_SCHEDULES: 'false',
      LOG_LEVEL: 'warn',
      ...extra,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000)));
  return { child, stderr: () => tail };
}

export async function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGTERM');
  const killer = setTimeout(() => worker.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/** Runs `task` over `items` with at most `limit` in flight (an operator's script, not a thundering herd). */
export async function inBatches<T, R>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index], index);
      }
    }),
  );
  return results;
}

/**
 * Every key of the Redis, counted by family: ids, generations and numbers folded (`cache:{ds:#}:g#:m`,
 * `{ccc}:warming:<id>`), cut after four `:`-separated parts so that one family is one line.
 */
export async function keyFamilies(redis: Redis): Promise<Map<string, number>> {
  const families = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 5000);
    cursor = next;
    for (const key of keys) {
      const family = key
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
        .replace(/\d+/g, '#')
        .split(':')
        .slice(0, 4)
        .join(':');
      families.set(family, (families.get(family) ?? 0) + 1);
    }
  } while (cursor !== '0');
  return families;
}

/** How many keys match a glob (SCAN, never KEYS). */
export async function countMatching(redis: Redis, pattern: string): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

export const sumWhere = (families: Map<string, number>, match: (family: string) => boolean): number =>
  [...families].filter(([family]) => match(family)).reduce((sum, [, n]) => sum + n, 0);

export function familyTable(label: string, families: Map<string, number>): string {
  const lines = [...families].sort((a, b) => b[1] - a[1]).map(([family, n]) => `  ${String(n).padStart(7)}  ${family}`);
  return `${label} (${sumWhere(families, () => true)} keys)\n${lines.join('\n')}`;
}

/** Median of a few timed calls, in ms: one figure per endpoint, for the report (never asserted). */
export async function medianMs(times: number, call: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[Math.floor(samples.length / 2)]);
}

/** A process's peak resident memory so far (Linux VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Math.round(Number(kb) / 1024) : NaN;
}
