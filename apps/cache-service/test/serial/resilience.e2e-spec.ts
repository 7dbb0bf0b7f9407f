import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** Starts the built service and resolves with how it ended (it is expected to end by itself). */
function runService(env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the service first (npm run build)`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe('start-up failures', () => {
  it('exits non-zero within 10 s with one line when Redis is unreachable', async () => {
    const port = await freePort();
    const result = await runService({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      DATABASE_URL: process.env.DATABASE_URL!,
      PORT: String(await freePort()),
    });
    expect(result.code).not.toBe(0);
    expect(result.ms).toBeLessThan(10_000);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(lines[0]).toContain('REDIS_URL');
  });

  it('exits non-zero within 10 s with one line when PostgreSQL is unreachable, without printing the password', async () => {
    const port = await freePort();
    const result = await runService({
      REDIS_URL: process.env.REDIS_URL!,
      DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${port}/ccc`,
      PORT: String(await freePort()),
    });
    expect(result.code).not.toBe(0);
    expect(result.ms).toBeLessThan(10_000);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('Cannot reach PostgreSQL at postgres://app:***@127.0.0.1');
    expect(result.stderr).not.toContain('s3cret');
  });

  it('lists every bad configuration variable in one message', async () => {
    const result = await runService({
      PORT: 'eighty',
      SERVICE_ROLE: 'boss',
      NODE_ENV: 'production',
      REDIS_URL: 'http://x',
    });
    expect(result.code).not.toBe(0);
    for (const name of ['PORT', 'SERVICE_ROLE', 'JWT_SECRET', 'REDIS_URL']) expect(result.stderr).toContain(name);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('Redis going away while running', () => {
  let redis: PrivateRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    t = await createTestApp({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  async function waitForReady(expected: number, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let last: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
    while (Date.now() < deadline) {
      const response = await t.http.get('/health/ready');
      last = { status: response.status, body: response.body };
      if (response.status === expected) return response.body;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`readiness stayed ${last.status}: ${JSON.stringify(last.body)}`);
  }

  it('answers 503 naming Redis while it is down and recovers by itself when it returns', async () => {
    await waitForReady(200);
    await redis.stop();
    const down = await waitForReady(503);
    expect(down).toMatchObject({ status: 'error', checks: { redis: { status: 'down' }, postgres: { status: 'up' } } });
    await redis.start();
    const up = await waitForReady(200);
    expect(up).toMatchObject({ status: 'ok' });
  });
});
