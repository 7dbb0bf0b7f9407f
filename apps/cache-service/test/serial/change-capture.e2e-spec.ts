import type {
  AnalyticsQueryResponse,
  Datasource,
  DatasourceCacheDetails,
  Paginated,
  WarmingJob,
} from '@ccc/shared-types';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { ChangeCaptureService } from '../../src/change-capture/change-capture.service.js';
import { loadConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { runMigrations } from '../../src/database/migrate.js';
import { REDIS, type RedisClient } from '../../src/redis/redis.module.js';
import { RedisKeys } from '../../src/redis/redis-keys.js';
import { evaluateAlerts, onlyAlertOf } from '../support/alerts.js';
import { FAULT_ENV } from '../support/faults.js';
import { PrivatePostgres } from '../support/postgres-server.js';
import { freePort, PrivateRedis } from '../support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from '../support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { sleep, waitUntil } from '../support/warming.js';

/** Generous: the cache follows the source "within seconds"; how fast is the bench's question, not this test's. */
const FOLLOWS_WITHIN_MS = 60_000;

/**
 * Change data capture on a private PostgreSQL cluster with wal_level=logical (never the machine's server): a datasource
 * in cdc mode follows inserts, updates and deletes of its table through the query API, every answer from one
 * generation; a dropped slot raises CDC_SLOT_UNHEALTHY and is repaired by a full warm; deleting the datasource leaves
 * no slot or publication behind; a table whose deletes would not name their group is refused with a 400.
 */
const describeWithPostgres = PrivatePostgres.available() ? describe : describe.skip;

describeWithPostgres('change data capture', () => {
  let postgres: PrivatePostgres;
  let redisServer: PrivateRedis;
  let t: TestApp;
  let token: string;
  let source: pg.Client;

  beforeAll(async () => {
    postgres = new PrivatePostgres(await freePort(), PrivatePostgres.LOGICAL_REPLICATION);
    await postgres.init();
    const env = { ...FAULT_ENV, DATABASE_URL: postgres.url(), CDC_FLUSH_MS: '200' };
    const db = await new DataSource(dataSourceOptions(loadConfig({ ...process.env, ...env }))).initialize();
    await runMigrations(db);
    await db.destroy();
    redisServer = new PrivateRedis(await freePort());
    await redisServer.start();
    t = await createTestApp({ ...env, REDIS_URL: redisServer.url });
    token = (await userWithToken(t, 'admin')).token;
    source = new pg.Client({ connectionString: postgres.url() });
    await source.connect();
  }, 120_000);
  afterAll(async () => {
    await source?.end();
    await t?.close();
    await redisServer?.destroy();
    postgres?.destroy();
  });

  const replication = async (name: string) =>
    (
      await source.query<{ slots: number; publications: number }>(
        `SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1)::int AS slots,
                (SELECT count(*) FROM pg_publication WHERE pubname = $1)::int AS publications`,
        [name],
      )
    ).rows[0];

  const query = async (id: number, params: Record<string, string>): Promise<AnalyticsQueryResponse> =>
    (
      await t.http
        .get(`/api/analytics/datasources/${id}/query`)
        .query({ measure: 'Charges', frequency: 'Daily', ...params })
        .set(bearer(token))
        .expect(200)
    ).body as AnalyticsQueryResponse;

  const jobsOf = async (id: number): Promise<WarmingJob[]> =>
    (
      await t.http
        .get('/api/admin/analytics/cache/warming/jobs')
        .query({ datasourceId: id, pageSize: 100 })
        .set(bearer(token))
        .expect(200)
    ).body.items as WarmingJob[];

  it('refuses cdc mode with a 400 naming changeDetection when deleted rows would not name their group', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 1, providers: 1, periods: 1 });
    const refused = await t.http
      .post('/api/admin/datasources')
      .set(bearer(token))
      .send({ name: `No identity ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, changeDetection: 'cdc' })
      .expect(400);
    expect(JSON.stringify(refused.body)).toMatch(/changeDetection.*REPLICA IDENTITY FULL/);
  });

  it('follows inserts, updates and deletes within seconds, repairs a dropped slot with a full warm and an alert, and drops slot and publication with the datasource', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 2, providers: 2, periods: 3 });
    await source.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `CDC ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, changeDetection: 'cdc' })
        .expect(201)
    ).body as Datasource;
    const name = `ccc_ds_${ds.id}`;

    // The slot is created, and the cache starts from a full warm taken after it.
    await waitUntil(
      async () => (await query(ds.id, { practice: '1' })).source === 'cache',
      'the first warm',
      FOLLOWS_WITHIN_MS,
      200,
    );
    expect(await replication(name)).toEqual({ slots: 1, publications: 1 });
    // The slot's lag is on /metrics and on the datasource's details.
    await waitUntil(
      async () => {
        const details = (
          await t.http.get(`/api/admin/analytics/cache/datasources/${ds.id}`).set(bearer(token)).expect(200)
        ).body as DatasourceCacheDetails;
        return details.changeCapture?.slotExists === true && details.changeCapture.active;
      },
      'the details to show the streamed slot',
      FOLLOWS_WITHIN_MS,
      200,
    );
    const details = (await t.http.get(`/api/admin/analytics/cache/datasources/${ds.id}`).set(bearer(token)).expect(200))
      .body as DatasourceCacheDetails;
    expect(details.changeCapture).toMatchObject({ slotName: name, lagBytes: expect.any(Number), lastIncident: null });
    const metrics = (await t.http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(new RegExp(`^ccc_cdc_slot_lag_bytes\\{datasource_id="${ds.id}"\\} \\d+$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^ccc_cdc_slot_active\\{datasource_id="${ds.id}"\\} 1$`, 'm'));

    // An update of one group, a new group, and a group whose rows are all deleted.
    await source.query(
      `UPDATE ${table} SET value = 7 WHERE practice_id = 1 AND provider_id = 1001 AND measure = 'Charges'`,
    );
    await source.query(
      `INSERT INTO ${table} VALUES ('Charges', 1, 1999, 'Daily', date '2026-01-01', 42), ('Charges', 1, 1999, 'Daily', date '2026-01-02', 43)`,
    );
    await source.query(`DELETE FROM ${table} WHERE practice_id = 2 AND provider_id = 2002`);
    const answers: AnalyticsQueryResponse[] = [];
    await waitUntil(
      async () => {
        const answer = await query(ds.id, { practice: '1' });
        answers.push(answer);
        const updated = answer.entries.find((e) => e.provider === '1001');
        const inserted = answer.entries.find((e) => e.provider === '1999');
        const gone = (await query(ds.id, { practice: '2', provider: '2002' })).entries.length === 0;
        return Boolean(updated?.rows.every(([, v]) => v === 7) && inserted?.rows.length === 2 && gone);
      },
      'the changes in the query API',
      FOLLOWS_WITHIN_MS,
      200,
    );
    // Every answer came from the cache, each from one generation: never a mix of old and new rows of one group.
    for (const answer of answers) {
      expect(answer).toMatchObject({ source: 'cache', generation: expect.any(Number) });
      const updated = answer.entries.find((e) => e.provider === '1001');
      expect(new Set(updated?.rows.map(([, v]) => v)).size).toBe(1);
    }

    // The changed groups were refreshed incrementally (the rest carried over), not by re-reading the source.
    const refreshed = await jobsOf(ds.id);
    expect(refreshed.some((job) => job.status === 'COMPLETED' && job.refreshKind === 'incremental')).toBe(true);

    // Somebody drops the slot: an alert, a new slot, and a full warm that brings in what happened meanwhile.
    const jobsBefore = refreshed.length;
    // The stream is ended and the slot dropped (retried: the service may reattach between the two).
    await waitUntil(
      async () => {
        await source.query(
          `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL`,
          [name],
        );
        await source.query(`SELECT pg_drop_replication_slot($1)`, [name]).catch(() => undefined);
        return (await t.app.get(ChangeCaptureService).lastIncident(ds.id))?.kind === 'slot_dropped';
      },
      'the dropped slot to be noticed',
      FOLLOWS_WITHIN_MS,
      200,
    );
    await source.query(
      `UPDATE ${table} SET value = 9 WHERE practice_id = 1 AND provider_id = 1002 AND measure = 'Charges'`,
    );
    await waitUntil(
      async () =>
        (await query(ds.id, { practice: '1', provider: '1002' })).entries.every((e) =>
          e.rows.every(([, v]) => v === 9),
        ),
      'the change after the drop',
      FOLLOWS_WITHIN_MS,
      200,
    );
    await waitUntil(
      async () => JSON.stringify(await replication(name)) === JSON.stringify({ slots: 1, publications: 1 }),
      'the slot to be recreated',
      FOLLOWS_WITHIN_MS,
      200,
    );
    const jobs = await jobsOf(ds.id);
    expect(jobs.length).toBeGreaterThan(jobsBefore);
    // Newest first.
    const since = jobs.slice(0, jobs.length - jobsBefore);
    expect(since.some((job) => job.status === 'COMPLETED' && job.refreshKind === 'full')).toBe(true);
    await evaluateAlerts(t, token);
    const alert = await onlyAlertOf(t, token, ds.id, 'CDC_SLOT_UNHEALTHY');
    expect(alert).toMatchObject({ severity: 'CRITICAL', alertStatus: 'ACTIVE' });

    // Deleted: no slot keeps WAL for it, no publication is left.
    await t.http.delete(`/api/admin/datasources/${ds.id}`).set(bearer(token)).expect(204);
    await waitUntil(
      async () => JSON.stringify(await replication(name)) === JSON.stringify({ slots: 0, publications: 0 }),
      'slot and publication to be dropped',
      FOLLOWS_WITHIN_MS,
      200,
    );
  }, 240_000);

  it('replaces the backlog of a slot lagging past CDC_MAX_LAG_BYTES with a full warm, and records it for the alert', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 1, providers: 2, periods: 2 });
    await source.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Lagging ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, changeDetection: 'cdc' })
        .expect(201)
    ).body as Datasource;
    await waitUntil(
      async () => (await query(ds.id, { practice: '1' })).source === 'cache',
      'the first warm',
      FOLLOWS_WITHIN_MS,
      200,
    );
    // The running service's own configuration object: changes wait for a refresh far away, and 1 KB of WAL is too much.
    const limits = t.config.changeCapture;
    const saved = { ...limits };
    Object.assign(limits, { flushMs: 600_000, maxLagBytes: 1_024 });
    try {
      const jobsBefore = (await jobsOf(ds.id)).length;
      await source.query(`UPDATE ${table} SET value = 5`);
      await waitUntil(
        async () => (await t.app.get(ChangeCaptureService).lastIncident(ds.id))?.kind === 'slot_lagging',
        'the lagging slot to be given up',
        FOLLOWS_WITHIN_MS,
        200,
      );
      await waitUntil(
        async () => (await query(ds.id, { practice: '1' })).entries.every((e) => e.rows.every(([, v]) => v === 5)),
        'the full warm to serve the change',
        FOLLOWS_WITHIN_MS,
        200,
      );
      const since = (await jobsOf(ds.id)).slice(0, -jobsBefore || undefined);
      expect(since.some((job) => job.status === 'COMPLETED' && job.refreshKind === 'full')).toBe(true);
    } finally {
      Object.assign(limits, saved);
    }
    await t.http.delete(`/api/admin/datasources/${ds.id}`).set(bearer(token)).expect(204);
  }, 120_000);

  it('keeps the changes of a lagging slot whose full warm failed: not confirmed, served by the next warm that succeeds', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 1, providers: 2, periods: 2 });
    await source.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Catch-up ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, changeDetection: 'cdc' })
        .expect(201)
    ).body as Datasource;
    const name = `ccc_ds_${ds.id}`;
    await waitUntil(
      async () => (await query(ds.id, { practice: '1' })).source === 'cache',
      'the first warm',
      FOLLOWS_WITHIN_MS,
      200,
    );
    // Whether the slot is confirmed past `lsn` (its changes would then never be streamed again).
    const confirmedPast = async (lsn: string): Promise<boolean> =>
      (
        await source.query<{ past: boolean }>(
          `SELECT confirmed_flush_lsn > $2::pg_lsn AS past FROM pg_replication_slots WHERE slot_name = $1`,
          [name, lsn],
        )
      ).rows[0].past;
    // The stream's lease (10 s, renewed every second) as it stands: a worker that stops renewing it loses the stream.
    const leaseMsLeft: number[] = [];
    const lease = async (): Promise<void> => {
      leaseMsLeft.push(await t.app.get<RedisClient>(REDIS).pttl(RedisKeys.lease(`change-capture:${ds.id}`)));
    };
    // Changes wait for a refresh far away.
    const limits = t.config.changeCapture;
    const saved = { ...limits };
    Object.assign(limits, { flushMs: 600_000 });
    // A migration moves the table away for a while (the publication follows it): every full warm of the datasource
    // fails meanwhile.
    const away = `${table}_away`;
    await source.query(`ALTER TABLE ${table} RENAME TO ${away.split('.')[1]}`);
    let moved = true;
    try {
      const jobsBefore = (await jobsOf(ds.id)).length;
      await source.query('BEGIN');
      await source.query(`UPDATE ${away} SET value = 6`);
      // Before the commit record: a slot confirmed past this has been told the update is in the cache.
      const { lsn: beforeCommit } = (
        await source.query<{ lsn: string }>(`SELECT pg_current_wal_insert_lsn()::text AS lsn`)
      ).rows[0];
      await source.query('COMMIT');
      // The update reached the stream and waits there; now 1 KB of WAL is too much: its catch-up warm fails.
      await sleep(1_000);
      Object.assign(limits, { maxLagBytes: 1_024 });
      await waitUntil(
        async () => (await t.app.get(ChangeCaptureService).lastIncident(ds.id))?.kind === 'slot_lagging',
        'the lagging slot to be given up for a full warm',
        FOLLOWS_WITHIN_MS,
        200,
      );
      await waitUntil(
        async () => {
          await lease();
          return (await jobsOf(ds.id)).slice(0, -jobsBefore || undefined).some((job) => job.status === 'FAILED');
        },
        'the full warm to fail',
        FOLLOWS_WITHIN_MS,
        200,
      );
      // Keepalives keep coming (the service writes WAL of its own): none of them may confirm the update away.
      for (const deadline = Date.now() + 3_000; Date.now() < deadline; await sleep(200)) {
        expect(await confirmedPast(beforeCommit)).toBe(false);
        await lease();
      }
      // The warm (and its retries) did not hold up the renewal of the lease.
      expect(Math.min(...leaseMsLeft)).toBeGreaterThan(5_000);
      expect((await query(ds.id, { practice: '1' })).entries.every((e) => e.rows.every(([, v]) => v !== 6))).toBe(true);

      await source.query(`ALTER TABLE ${away} RENAME TO ${table.split('.')[1]}`);
      moved = false;
      await waitUntil(
        async () => (await query(ds.id, { practice: '1' })).entries.every((e) => e.rows.every(([, v]) => v === 6)),
        'the next full warm to serve the change',
        FOLLOWS_WITHIN_MS,
        200,
      );
      // Served: now the slot may forget it.
      await waitUntil(async () => confirmedPast(beforeCommit), 'the slot to be confirmed', FOLLOWS_WITHIN_MS, 200);
    } finally {
      if (moved) await source.query(`ALTER TABLE ${away} RENAME TO ${table.split('.')[1]}`);
      Object.assign(limits, saved);
    }
    await t.http.delete(`/api/admin/datasources/${ds.id}`).set(bearer(token)).expect(204);
  }, 240_000);

  it('drops the slot and publication of a datasource that leaves cdc mode', async () => {
    const table = await createSourceTable(t.app.get(DataSource), { practices: 1, providers: 1, periods: 1 });
    await source.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`);
    const ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(token))
        .send({ name: `Leaves ${table}`, sourceTable: table, columnMapping: TEST_MAPPING, changeDetection: 'cdc' })
        .expect(201)
    ).body as Datasource;
    const name = `ccc_ds_${ds.id}`;
    await waitUntil(async () => (await replication(name)).slots === 1, 'the slot', FOLLOWS_WITHIN_MS, 200);
    await t.http
      .patch(`/api/admin/datasources/${ds.id}`)
      .set(bearer(token))
      .send({ changeDetection: 'none' })
      .expect(200);
    await waitUntil(
      async () => JSON.stringify(await replication(name)) === JSON.stringify({ slots: 0, publications: 0 }),
      'slot and publication to be dropped',
      FOLLOWS_WITHIN_MS,
      200,
    );
    const page = (await t.http.get('/api/admin/datasources').set(bearer(token)).expect(200)).body as
      Datasource[] | Paginated<Datasource>;
    expect(JSON.stringify(page)).toContain(`"changeDetection":"none"`);
  }, 120_000);
});
