import type { CreatedApiKey, Datasource, WarmingJob } from '@ccc/shared-types';
import { createSourceTable, TEST_MAPPING } from './support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';
import { requestWarm, waitForJob } from './support/warming.js';
import { DataSource } from 'typeorm';

interface BoardJob {
  id: string;
  name: string;
  progress: unknown;
  data: Record<string, unknown>;
  returnValue: Record<string, unknown> | null;
}

/** bull-board at /admin/queues, read through its own JSON API as an operator's browser would. */
describe('queue board (bull-board) at /admin/queues', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await userWithToken(t, 'admin')).token;
    operator = (await userWithToken(t, 'operator')).token;
  });
  afterAll(() => t.close());

  it('is for admins only: 401 without a credential, 403 for an operator or an API key, read-only for admins', async () => {
    expect((await t.http.get('/admin/queues/api/queues').expect(401)).body).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await t.http.get('/admin/queues').expect(401)).body).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await t.http.get('/admin/queues/api/queues').set(bearer(operator)).expect(403)).body).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'ADMIN_ONLY' },
    });
    const key = (
      (
        await t.http
          .post('/api/admin/api-keys')
          .set(bearer(admin))
          .send({ name: 'board', permissions: ['settings:read:all'] })
          .expect(201)
      ).body as CreatedApiKey
    ).key;
    await t.http.get('/admin/queues/api/queues').set('X-API-Key', key).expect(403);
    await t.http.post('/api/admin/queue-board/session').set(bearer(operator)).expect(403);

    const queues = (await t.http.get('/admin/queues/api/queues').set(bearer(admin)).expect(200)).body as {
      queues: Array<{ name: string; readOnlyMode: boolean }>;
    };
    expect(queues.queues.map((q) => q.name).sort()).toEqual(['notifications', 'warming']);
    expect(queues.queues.every((q) => q.readOnlyMode)).toBe(true);
    const refused = await t.http.put('/admin/queues/api/queues/pause').set(bearer(admin)).send({}).expect(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'READ_ONLY' } });
  });

  it('opens in a browser through a session cookie the dashboard asks for (HttpOnly, SameSite=Strict, board path only)', async () => {
    const session = await t.http.post('/api/admin/queue-board/session').set(bearer(admin)).expect(204);
    const cookie = String(session.headers['set-cookie']);
    expect(cookie).toMatch(/^ccc_queue_board=[^;]+; Path=\/admin\/queues; HttpOnly; SameSite=Strict/);
    const page = await t.http.get('/admin/queues').set('Cookie', cookie.split(';')[0]).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('CCC queues');
  });

  it('shows a running warm by datasource name with numeric progress, and the finished warm at 100 with its summary', async () => {
    const db = t.app.get(DataSource);
    const table = await createSourceTable(db, { practices: 5, providers: 100, periods: 10 });
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: `Board ${table}`, sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
    const { jobId } = await requestWarm(t, admin, ds.id);
    const boardJob = async (): Promise<{ job: BoardJob; status: string }> =>
      (await t.http.get(`/admin/queues/api/queues/warming/${jobId}`).set(bearer(admin)).expect(200)).body as {
        job: BoardJob;
        status: string;
      };

    // Paused mid-warm, so the running job is read for certain.
    await waitForJob(t, admin, jobId, ['RUNNING']);
    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/pause`).set(bearer(admin)).expect(200);
    await waitForJob(t, admin, jobId, ['PAUSED']);
    const running = await boardJob();
    expect(running.status).toBe('active');
    expect(running.job.name).toBe(`warm:${ds.name}`);
    expect(running.job.data).toMatchObject({ kind: 'warm', jobId, datasourceId: ds.id, datasourceName: ds.name });
    expect(typeof running.job.progress).toBe('number');
    expect(running.job.progress as number).toBeLessThan(100);

    await t.http.post(`/api/admin/analytics/cache/warming/jobs/${jobId}/resume`).set(bearer(admin)).expect(200);
    const done: WarmingJob = await waitForJob(t, admin, jobId, ['COMPLETED']);
    let finished = await boardJob();
    for (let i = 0; i < 50 && finished.status !== 'completed'; i++) finished = await boardJob();
    expect(finished.status).toBe('completed');
    expect(finished.job.progress).toBe(100);
    expect(finished.job.returnValue).toMatchObject({
      datasourceId: ds.id,
      datasourceName: ds.name,
      generation: done.generation,
      rows: done.rowsTotal,
      entries: done.entriesWritten,
      durationSeconds: expect.any(Number),
    });
  });
});
