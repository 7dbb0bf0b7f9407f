import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreatedApiKey, Datasource } from '@ccc/shared-types';
import { isolatedStack, type IsolatedStack } from '../support/isolated-stack.js';
import { freePort } from '../support/redis-server.js';
import { createSourceTable, TEST_MAPPING } from '../support/source-table.js';
import { bearer, createTestApp, userWithToken, type TestApp } from '../support/test-app.js';
import { requestWarm, sleep, waitForJob } from '../support/warming.js';

const PROMETHEUS_DIR = join(__dirname, '..', '..', '..', '..', 'deploy', 'prometheus');
const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
const INSTALL = 'apt-get install -y --no-install-recommends prometheus (.ci/run installs it)';

/** Runs promtool; its output is part of the failure message when it does not succeed. */
function promtool(args: string[], input?: string): { code: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: PROMETHEUS_DIR, input, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`promtool could not run (${result.error.message}): ${INSTALL}`);
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * The shipped Prometheus configuration checked with Prometheus' own tools, and a real Prometheus scraping the
 * service and evaluating the shipped alert rules. Serial: it waits on Prometheus' scrape and evaluation rounds.
 */
describe('Prometheus: the shipped rules and a live scrape', () => {
  let stack: IsolatedStack;
  let t: TestApp;
  let admin: string;
  let port: number;
  let ds: Datasource;

  beforeAll(async () => {
    stack = await isolatedStack('prometheus');
    t = await createTestApp(stack.env);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    admin = (await userWithToken(t, 'admin')).token;
    const table = await createSourceTable(stack.db, { practices: 2, providers: 2, periods: 3 });
    ds = (
      await t.http
        .post('/api/admin/datasources')
        .set(bearer(admin))
        .send({ name: 'Scraped source', sourceTable: table, columnMapping: TEST_MAPPING })
        .expect(201)
    ).body as Datasource;
  });
  afterAll(async () => {
    await t?.close();
    await stack?.close();
  });

  it('promtool accepts the rules and the configuration, and the rules pass their unit tests', () => {
    const rules = readdirSync(RULES_DIR).map((file) => join('rules', file));
    const checked = promtool(['check', 'rules', ...rules]);
    expect({ code: checked.code, output: checked.output }).toMatchObject({ code: 0 });
    // Syntax only: the token file exists inside the compose container, not here.
    const config = promtool(['check', 'config', '--syntax-only', 'prometheus.yml']);
    expect({ code: config.code, output: config.output }).toMatchObject({ code: 0 });
    const tested = promtool(['test', 'rules', join('tests', 'ccc-rules.test.yml')]);
    expect({ code: tested.code, output: tested.output }).toMatchObject({ code: 0 });
  });

  it('promtool check metrics finds nothing to complain about in a live scrape with every series present', async () => {
    const key = (
      (
        await t.http
          .post('/api/admin/api-keys')
          .set(bearer(admin))
          .send({ name: 'scraper', permissions: ['analytics:read'] })
          .expect(201)
      ).body as CreatedApiKey
    ).key;
    await waitForJob(t, admin, (await requestWarm(t, admin, ds.id)).jobId, ['COMPLETED']);
    await t.http
      .get(`/api/analytics/datasources/${ds.id}/query`)
      .query({ measure: 'Charges' })
      .set('X-API-Key', key)
      .expect(200);
    const scrape = (await t.http.get('/metrics').expect(200)).text;
    expect(scrape).toContain(`ccc_cache_hits_total{datasource_id="${ds.id}"} 1`);
    const checked = promtool(['check', 'metrics'], scrape);
    expect({ code: checked.code, output: checked.output }).toEqual({ code: 0, output: '' });
  });

  describe('a real Prometheus', () => {
    let prometheus: ChildProcess;
    let dir: string;
    let api: string;
    let log = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ccc-prometheus-'));
      // The shipped rules as they are, but with `for:` at 0: this test is about the expression firing on a live
      // scrape; how long a condition must hold is what `promtool test rules` checks above.
      const rules = readFileSync(join(RULES_DIR, 'ccc-alerts.yml'), 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 0s');
      writeFileSync(join(dir, 'ccc-alerts.yml'), rules);
      writeFileSync(join(dir, 'ccc-recording.yml'), readFileSync(join(RULES_DIR, 'ccc-recording.yml')));
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'rule_files: [ccc-alerts.yml, ccc-recording.yml]',
          'scrape_configs:',
          `  - { job_name: cache-command-center, static_configs: [{ targets: ["127.0.0.1:${port}"] }] }`,
          '',
        ].join('\n'),
      );
      const promPort = await freePort();
      api = `http://127.0.0.1:${promPort}/api/v1`;
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prometheus.on('error', (error) => (log += `could not start prometheus (${error.message}): ${INSTALL}\n`));
      prometheus.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      for (
        let i = 0;
        i < 300 &&
        !(await fetch(`http://127.0.0.1:${promPort}/-/ready`).then(
          (r) => r.ok,
          () => false,
        ));
        i++
      )
        await sleep(100);
    });
    afterAll(() => {
      prometheus?.kill('SIGTERM');
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const get = async <T>(path: string): Promise<T> =>
      ((await (await fetch(`${api}${path}`)).json()) as { data: T }).data;
    const coldAlert = async (): Promise<{ state: string; labels: Record<string, string> } | undefined> =>
      (await get<{ alerts: Array<{ state: string; labels: Record<string, string> }> }>('/alerts')).alerts.find(
        (alert) => alert.labels.alertname === 'CccCacheCold' && alert.labels.datasource_id === String(ds.id),
      );
    async function until<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
      for (let i = 0; i < 300; i++) {
        const value = await probe();
        if (value) return value;
        await sleep(200);
      }
      throw new Error(
        `Prometheus: ${what} did not happen within 60 s. Its log:\n${log.split('\n').slice(-20).join('\n')}`,
      );
    }

    it('scrapes the service and fires CccCacheCold, named after the datasource, once the datasource is invalidated', async () => {
      await until('a successful scrape of the service', async () => {
        const up = await get<{ result: Array<{ value: [number, string] }> }>(
          '/query?query=up%7Bjob%3D%22cache-command-center%22%7D',
        );
        return up.result[0]?.value[1] === '1';
      });
      // Warm (from the test above): several evaluations pass without the alert.
      await until('the live generation in a scrape', async () => {
        const live = await get<{ result: Array<{ value: [number, string] }> }>(
          `/query?query=${encodeURIComponent(`ccc_cache_live{datasource_id="${ds.id}"}`)}`,
        );
        return live.result[0]?.value[1] === '1';
      });
      await sleep(3_000);
      expect(await coldAlert()).toBeUndefined();

      await t.http
        .post('/api/admin/analytics/cache/invalidate')
        .set(bearer(admin))
        .send({ datasourceId: ds.id })
        .expect(200);
      const alert = await until('CccCacheCold firing', async () => {
        const found = await coldAlert();
        return found?.state === 'firing' ? found : undefined;
      });
      expect(alert.labels).toMatchObject({
        severity: 'warning',
        datasource: 'Scraped source',
        datasource_id: String(ds.id),
      });
    }, 120_000);
  });
});
