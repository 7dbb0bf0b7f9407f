// Bench section: change data capture (issue 15, acceptance 2). A datasource in `cdc` mode on a private PostgreSQL
// cluster with wal_level=logical (lib/private-postgres.mjs; never the machine's server) takes a steady write load of
// CHANGES_PER_SECOND single-row UPDATEs for a while; every SAMPLE_EVERY-th change is followed through the query API
// (its entry read by all four dimensions every POLL_MS) until the first answer shows the new value: write → first
// answer showing it, p50 / p95 / max, against the 5 s p95 target. Every answer must come from the cache, each from one
// generation (the query answers with one), and generations never go backwards for one reader. The slot's lag on
// /metrics is sampled during the load. `--smoke` runs the same steps on a 20,000-row source for a few seconds.
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { LOGICAL_REPLICATION, privatePostgresAvailable, startPrivatePostgres } from './lib/private-postgres.mjs';
import { api } from './lib/service-api.mjs';
import { buildSourceTable, FREQUENCIES, MEASURES, PERIODS, PROVIDERS_PER_PRACTICE } from './lib/source-table.mjs';

const SCHEMA = 'bench_cdc';
const TABLE = `${SCHEMA}.facts`;
const CHANGES_PER_SECOND = 100;
const SAMPLE_EVERY = 10;
const POLL_MS = 50;
const TARGET_P95_MS = 5_000;
const COLUMN_MAPPING = {
  measure: 'measure',
  practice: 'practice_id',
  provider: 'provider_id',
  frequency: 'frequency',
  period: 'period_date',
  value: 'value',
};

function shapeOf(smoke) {
  const practices = smoke ? 5 : 250;
  return {
    practices,
    rows: MEASURES.length * practices * PROVIDERS_PER_PRACTICE * FREQUENCIES.length * PERIODS,
    loadSeconds: smoke ? 5 : 60,
    followTimeoutMs: smoke ? 30_000 : 60_000,
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const median = (values) =>
  values.length
    ? percentile(
        [...values].sort((a, b) => a - b),
        50,
      )
    : Number.NaN;
const p95Of = (values) =>
  values.length
    ? percentile(
        [...values].sort((a, b) => a - b),
        95,
      )
    : Number.NaN;

/**
 * Where the time of the changes' journey went, from the service's log lines written during the load: per CDC refresh
 * ('change capture refresh': its oldest change pending until taken, waits on deletions and on a running warm, queue,
 * job run, noticing the end), per incremental job ('warm completed' phasesMs) and per generation deletion.
 */
function journeyFrom(logFile, fromIso) {
  const refreshes = [];
  const jobPhases = new Map();
  const deletions = [];
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (
      !line.includes('"change capture refresh"') &&
      !line.includes('"warm completed"') &&
      !line.includes('"generation deleted"')
    )
      continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (entry.time < fromIso) continue;
    if (entry.msg === 'change capture refresh') refreshes.push(entry);
    else if (entry.msg === 'generation deleted') deletions.push(entry.ms);
    else if (entry.refresh === 'incremental' && entry.phasesMs)
      for (const [phase, ms] of Object.entries(entry.phasesMs))
        jobPhases.set(phase, [...(jobPhases.get(phase) ?? []), ms]);
  }
  const rows = [];
  const steps = [
    ['pendingMs', 'pending until taken (CDC_FLUSH_MS, or behind the refresh before)'],
    ['deletionsMs', 'waiting on deletions of replaced generations'],
    ['behindRunningMs', 'waiting behind a warm already running'],
    ['queuedMs', 'queued until a worker started the job'],
    ['runMs', 'the job: plan, carry, read, write, verify, swap, bookkeeping'],
    ['noticedMs', 'job end → change capture saw it (then the LSN is confirmed)'],
    ['oldestChangeMs', 'oldest change of the refresh: committed → confirmed'],
  ];
  for (const [field, note] of steps) {
    const values = refreshes.map((r) => r[field]).filter(Number.isFinite);
    rows.push({
      metric: `refresh ${field.replace(/Ms$/, '')}, p50 / p95`,
      value: median(values),
      unit: 'ms',
      note: `p95 ${p95Of(values)} ms: ${note}`,
    });
  }
  for (const [phase, values] of jobPhases)
    rows.push({
      metric: `  job phase, p50`,
      value: median(values),
      unit: 'ms',
      note: `${phase} (p95 ${p95Of(values)} ms)`,
    });
  rows.push({
    metric: 'generation deletion, p50',
    value: median(deletions),
    unit: 'ms',
    note: `${deletions.length} deletions of replaced generations, p95 ${p95Of(deletions)} ms`,
  });
  return { rows, refreshes, deletions, jobPhases: Object.fromEntries(jobPhases) };
}

/**
 * Reads one entry until its row of `period` shows `value` (or a later change's higher one); returns ms from
 * `writtenAt`, and checks every answer.
 */
async function follow(service, auth, datasourceId, change, checks, timeoutMs) {
  const query = new URLSearchParams({
    measure: change.measure,
    frequency: change.frequency,
    practice: String(change.practice),
    provider: String(change.provider),
  });
  const deadline = change.writtenAt + timeoutMs;
  let lastGeneration = 0;
  for (;;) {
    const res = await fetch(`${service.baseUrl}/api/analytics/datasources/${datasourceId}/query?${query}`, {
      headers: auth,
      signal: AbortSignal.timeout(10_000),
    });
    const body = await res.json();
    checks.answers += 1;
    if (res.status !== 200 || body.source !== 'cache' || !Number.isInteger(body.generation)) checks.notFromCache += 1;
    else if (body.generation < lastGeneration) checks.generationWentBack += 1;
    else lastGeneration = body.generation;
    const row = body.entries?.[0]?.rows?.find(([period]) => period === change.period);
    // A later change of the same row carries a higher value: it shows this one was served too.
    if (row && Number(row[1]) >= change.value) return performance.now() - change.writtenAt;
    if (performance.now() > deadline)
      throw new Error(`change ${JSON.stringify(change)} not served within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

export async function run(ctx) {
  if (!privatePostgresAvailable())
    throw new Error(
      'initdb/pg_ctl not found (PG_BIN_DIR): this section needs a private cluster with wal_level=logical',
    );
  const shape = shapeOf(ctx.smoke);
  const cluster = await startPrivatePostgres(await freePort(), LOGICAL_REPLICATION);
  const db = new pg.Client({ connectionString: cluster.url, application_name: 'bench-change-capture' });
  let service = null;
  try {
    await db.connect();
    const [started] = await Promise.all([
      ctx.startService({ DATABASE_URL: cluster.url, SOURCE_SCHEMAS: SCHEMA, RATE_LIMIT_QUERY_PER_SECOND: '1000000' }),
      buildSourceTable(db, ctx.log, { table: TABLE, practices: shape.practices, rows: shape.rows }),
    ]);
    service = started;
    // The table's primary key (id) would not name the group of an updated or deleted row: CDC mode requires this.
    await db.query(`ALTER TABLE ${TABLE} REPLICA IDENTITY FULL`);
    const ds = await api(service, 'POST', '/api/admin/datasources', {
      name: 'Bench CDC',
      sourceTable: TABLE,
      columnMapping: COLUMN_MAPPING,
      // The defaults: fullRefreshEvery 24 and CDC_FULL_WARM_MIN_INTERVAL_SECONDS (an hour) between periodic full
      // warms, so a run this short measures the steady state of incremental refreshes.
      changeDetection: 'cdc',
    });
    const queryKey = await api(service, 'POST', '/api/admin/api-keys', {
      name: 'bench cdc reader',
      permissions: ['analytics:read'],
    });
    const auth = { 'x-api-key': queryKey.key };

    // The slot is created and the first (full) warm runs by itself.
    const firstWarmStarted = performance.now();
    for (;;) {
      const details = await api(service, 'GET', `/api/admin/analytics/cache/datasources/${ds.id}`);
      if (details.generation !== null && details.changeCapture?.active) break;
      if (performance.now() - firstWarmStarted > 120_000)
        throw new Error('the first warm of the CDC datasource did not end');
      await sleep(100);
    }
    const firstWarmMs = performance.now() - firstWarmStarted;
    ctx.log(`cdc datasource ${ds.id} warm and streaming after ${(firstWarmMs / 1000).toFixed(1)} s`);

    const loadFromIso = new Date().toISOString();
    // Steady load: CHANGES_PER_SECOND single-row updates, paced per 100 ms tick; every SAMPLE_EVERY-th followed.
    const checks = { answers: 0, notFromCache: 0, generationWentBack: 0 };
    const followers = [];
    const lagSamples = [];
    const total = CHANGES_PER_SECOND * shape.loadSeconds;
    const perTick = CHANGES_PER_SECOND / 10;
    const loadStarted = performance.now();
    let written = 0;
    for (let tick = 0; written < total; tick++) {
      for (let i = 0; i < perTick && written < total; i++, written++) {
        const practice = 101 + (written % shape.practices);
        const change = {
          measure: MEASURES[written % MEASURES.length],
          practice,
          provider: practice * 100 + 1 + (Math.floor(written / shape.practices) % PROVIDERS_PER_PRACTICE),
          frequency: FREQUENCIES[Math.floor(written / 7) % FREQUENCIES.length][0],
          value: 1_000_000 + written,
        };
        const { rows } = await db.query(
          `UPDATE ${TABLE} SET value = $5
            WHERE id = (SELECT id FROM ${TABLE} WHERE measure = $1 AND practice_id = $2 AND provider_id = $3 AND frequency = $4
                         ORDER BY period_date DESC LIMIT 1)
            RETURNING to_char(period_date, 'YYYY-MM-DD') AS period`,
          [change.measure, change.practice, change.provider, change.frequency, change.value],
        );
        if (rows.length !== 1) throw new Error(`no row to update for ${JSON.stringify(change)}`);
        if (written % SAMPLE_EVERY === 0) {
          const sampled = { ...change, period: rows[0].period, writtenAt: performance.now() };
          // Caught at once: a follower rejecting while the load still runs would end the process before its clean-up.
          followers.push(
            follow(service, auth, ds.id, sampled, checks, shape.followTimeoutMs).catch((error) => ({ error })),
          );
        }
      }
      if (tick % 10 === 0) {
        const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
        const lag = new RegExp(`^ccc_cdc_slot_lag_bytes\\{datasource_id="${ds.id}"\\} (\\d+)`, 'm').exec(metrics);
        if (lag) lagSamples.push(Number(lag[1]));
      }
      const nextTick = loadStarted + (tick + 1) * 100;
      await sleep(Math.max(0, nextTick - performance.now()));
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const followed = await Promise.all(followers);
    const unserved = followed.filter((outcome) => typeof outcome !== 'number');
    if (unserved.length > 0)
      throw new Error(
        `${unserved.length} of ${followed.length} sampled changes not served: ${unserved[0].error.message}`,
      );
    const latencies = followed.sort((a, b) => a - b);
    const jobs = await api(
      service,
      'GET',
      `/api/admin/analytics/cache/warming/jobs?datasourceId=${ds.id}&pageSize=100`,
    );
    const refreshes = jobs.total - 1;
    if (checks.notFromCache + checks.generationWentBack > 0)
      throw new Error(`answers not from one cache generation: ${JSON.stringify(checks)}`);

    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const verdict = ctx.smoke ? 'no verdict in a smoke run' : p95 <= TARGET_P95_MS ? 'met' : 'MISSED';
    const rows = [
      {
        metric: 'source rows',
        value: shape.rows,
        unit: 'rows',
        note: 'REPLICA IDENTITY FULL, private wal_level=logical cluster',
      },
      {
        metric: 'write load',
        value: written / loadSeconds,
        unit: 'changes/s',
        note: `${written} single-row UPDATEs over ${loadSeconds.toFixed(1)} s, autocommit`,
      },
      {
        metric: 'write → first answer showing it, p50',
        value: p50,
        unit: 'ms',
        note: `${latencies.length} sampled changes`,
      },
      {
        metric: 'write → first answer showing it, p95',
        value: p95,
        unit: 'ms',
        note: `target ≤ ${TARGET_P95_MS} ms: ${verdict}`,
      },
      { metric: 'write → first answer showing it, max', value: latencies.at(-1), unit: 'ms', note: '' },
      {
        metric: 'refreshes during the load',
        value: refreshes,
        unit: 'jobs',
        note: 'CDC_FLUSH_MS default: changed groups debounced into one refresh; full warms by the defaults (count and interval)',
      },
      {
        metric: 'slot lag on /metrics, max during the load',
        value: lagSamples.length ? Math.max(...lagSamples) : Number.NaN,
        unit: 'bytes',
        note: `${lagSamples.length} scrapes of ccc_cdc_slot_lag_bytes`,
      },
      {
        metric: 'answers checked',
        value: checks.answers,
        unit: 'answers',
        note: 'all from the cache, one generation each, never an older generation after a newer one',
      },
    ];
    const journey = journeyFrom(service.logFile, loadFromIso);
    rows.push(...journey.rows);
    const jobTimes = jobs.items.map((job) => ({
      queuedToStartMs: Date.parse(job.startedAt) - Date.parse(job.scheduledAt),
      runMs: Date.parse(job.completedAt) - Date.parse(job.startedAt),
      refreshKind: job.refreshKind,
      status: job.status,
    }));
    const json = {
      smoke: ctx.smoke,
      shape,
      latenciesMs: latencies,
      p50,
      p95,
      refreshes,
      jobTimes,
      journey: { refreshes: journey.refreshes, deletionsMs: journey.deletions, jobPhasesMs: journey.jobPhases },
      lagSamples,
      checks,
      firstWarmMs,
    };
    return {
      title: `Change data capture under ${CHANGES_PER_SECOND} row changes/s${ctx.smoke ? ' (smoke run)' : ''}`,
      rows,
      json,
    };
  } finally {
    await service?.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    cluster.destroy();
  }
}
