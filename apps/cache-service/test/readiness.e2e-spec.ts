import type { ReadinessResponse } from '@ccc/shared-types';
import type { Worker } from 'bullmq';
import { JobRepository } from '../src/warming/job.repository.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/** GET /health/ready: what a load balancer or orchestrator sees, per role. */
describe('readiness reports the workers of roles that run them', () => {
  let all: TestApp;
  let api: TestApp;

  beforeAll(async () => {
    all = await createTestApp();
    api = await createTestApp({ SERVICE_ROLE: 'api' });
  });
  afterAll(async () => {
    await api.close();
    await all.close();
  });

  it('role all: ready, with its warming workers consuming', async () => {
    const body = (await all.http.get('/health/ready').expect(200)).body as ReadinessResponse;
    expect(body.status).toBe('ok');
    expect(body.checks.workers.status).toBe('up');
    expect(body.checks.workers.total).toBeGreaterThanOrEqual(1);
    expect(body.checks.workers.running).toBe(body.checks.workers.total);
  });

  it('role api runs no workers and reports none', async () => {
    const body = (await api.http.get('/health/ready').expect(200)).body as ReadinessResponse;
    expect(body).toMatchObject({ status: 'ok', checks: { redis: { status: 'up' }, postgres: { status: 'up' } } });
    expect(body.checks.workers).toBeUndefined();
  });

  it('role worker: ready with its warming workers, and serves health and metrics but no API', async () => {
    const worker = await createTestApp({ SERVICE_ROLE: 'worker' });
    try {
      const body = (await worker.http.get('/health/ready').expect(200)).body as ReadinessResponse;
      expect(body).toMatchObject({ status: 'ok', checks: { redis: { status: 'up' }, postgres: { status: 'up' } } });
      expect(body.checks.workers.status).toBe('up');
      expect(body.checks.workers.running).toBe(body.checks.workers.total);
      await worker.http.get('/health/live').expect(200, { status: 'ok' });
      expect((await worker.http.get('/metrics').expect(200)).text).toContain('# HELP ccc_warms_total');
      // Nothing routes people to a worker: it has no sign-in, no API and no queue board (worker.module.ts).
      await worker.http.post('/api/auth/login').send({ email: 'a@b.c', password: 'x' }).expect(404);
      await worker.http.get('/api/admin/datasources').expect(404);
      await worker.http.get('/admin/queues').expect(404);
    } finally {
      await worker.close();
    }
  });

  it('a role with workers that do not consume is not ready (503), and says which lane', async () => {
    // What a worker stuck in pause looks like from outside; reached through the repository's own list.
    const workers = (all.app.get(JobRepository) as unknown as { workers: Worker[] }).workers;
    await workers[0].pause(true);
    try {
      const body = (await all.http.get('/health/ready').expect(503)).body as ReadinessResponse;
      expect(body.status).toBe('error');
      expect(body.checks.workers).toMatchObject({ status: 'down', running: workers.length - 1, total: workers.length });
      expect(body.checks.workers.error).toMatch(/warming worker/);
      expect(body.checks.redis.status).toBe('up');
    } finally {
      workers[0].resume();
    }
    await all.http.get('/health/ready').expect(200);
  });
});
