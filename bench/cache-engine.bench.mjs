// Bench section: the analytics cache engine on a 1,000,000-row datasource (40,000 entries of 25 rows), each
// figure measured side by side with a reference in the same run:
//   warm     our BullMQ worker (through the API) vs a minimal COPY → group → MSET/SADD pipeline written here
//   swap     1 ms PING probe during our refresh / our SWAP script vs the seed's MULTI of RENAMEs + SUNIONSTOREs
//   delete   1 ms PING probe while the service's GC job deletes the old generation vs one DEL / one UNLINK
//   query    autocannon (50 connections) on the service vs a bare NestJS handler doing the same EVAL, and vs the
//            same query answered by PostgreSQL (a datasource never warmed)
//   memory   Redis used_memory per cached row; the service's peak RSS during the warm
// All traffic stays on 127.0.0.1; every wait is bounded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { PingProbe } from './lib/probe-client.mjs';

const SCHEMA = 'bench_engine';
const TABLE = `${SCHEMA}.facts`;
const MEASURES = ['Charges', 'Payments', 'Adjustments', 'Visits'];
const PRACTICES = 250; // ids 101…350
const PROVIDERS_PER_PRACTICE = 10; // ids practice*100 + 1…10
const FREQUENCIES = [
  ['Daily', '1 day'],
  ['Weekly', '7 days'],
  ['Monthly', '1 month'],
  ['Quarterly', '3 months'],
];
const PERIODS = 25;
const ROWS = MEASURES.length * PRACTICES * PROVIDERS_PER_PRACTICE * FREQUENCIES.length * PERIODS; // 1,000,000
const ENTRIES = ROWS / PERIODS; // 40,000
const BATCH_ENTRIES = 200;
const PIPELINES_IN_FLIGHT = 4;
const GC_GRACE_MS = 2_000;
const QUERY_SECONDS = 10;
const COLD_QUERY_SECONDS = 5;
const WARMUP_SECONDS = 2;
const CONNECTIONS = 50;
const REF_TAG = '{ds:ref}';

const TARGETS = {
  warmRatio: 0.5,
  swapMs: 1,
  deleteMs: 5,
  queryRatio: 0.8,
  p99Ms: 25,
  bytesPerRow: 40,
  rssMb: 150,
};

async function loadAutocannon() {
  try {
    return (await import('autocannon')).default;
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      'autocannon is not installed; the cache-engine bench needs it for the query figures. Add it as a root devDependency: npm install --no-audit --no-fund -D autocannon',
    );
  }
}

const withTimeout = (promise, ms, what) =>
  Promise.race([promise, sleep(ms, undefined, { ref: false }).then(() => Promise.reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)))]);

// ---------------------------------------------------------------------------------------------------------
// The source table

async function buildSourceTable(db, log) {
  const started = performance.now();
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await db.query(`CREATE SCHEMA ${SCHEMA}`);
  await db.query(`
    CREATE TABLE ${TABLE} (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      measure TEXT NOT NULL,
      practice_id INTEGER NOT NULL,
      provider_id INTEGER NOT NULL,
      frequency TEXT NOT NULL,
      period_date DATE NOT NULL,
      value NUMERIC(14,2) NOT NULL
    )`);
  const periods = FREQUENCIES.map(([f, step]) => `('${f}', interval '${step}')`).join(', ');
  await db.query(
    `INSERT INTO ${TABLE} (measure, practice_id, provider_id, frequency, period_date, value)
     SELECT m.measure, 100 + pr.n, (100 + pr.n) * 100 + pv.n, f.frequency, (date '2026-10-31' - f.step * k.k)::date,
            ((pr.n * 7919 + pv.n * 104729 + k.k * 31 + length(m.measure) * 17 + length(f.frequency)) % 1000000) / 100.0
     FROM unnest($1::text[]) AS m(measure)
     CROSS JOIN generate_series(1, $2::int) AS pr(n)
     CROSS JOIN generate_series(1, $3::int) AS pv(n)
     CROSS JOIN (VALUES ${periods}) AS f(frequency, step)
     CROSS JOIN generate_series(0, $4::int - 1) AS k(k)`,
    [MEASURES, PRACTICES, PROVIDERS_PER_PRACTICE, PERIODS],
  );
  await db.query(`SET maintenance_work_mem = '256MB'`);
  // The index matches the warming order, so both pipelines stream rows without a sort.
  await db.query(`CREATE INDEX facts_entry_order_idx ON ${TABLE} (measure, practice_id, provider_id, frequency, period_date)`);
  await db.query(`ANALYZE ${TABLE}`);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${TABLE}`);
  if (rows[0].n !== ROWS) throw new Error(`the source table has ${rows[0].n} rows, expected ${ROWS}`);
  log(`source table ${TABLE}: ${ROWS.toLocaleString('en-US')} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------------------------------------------------
// The reference pipeline: COPY in key order → group consecutive rows → MSET + one multi-member SADD per
// index set per 200 entries, 4 pipelines in flight. Same value encoding and index sets as the service.

async function referenceWarm(databaseUrl, redis, { entryPrefix, indexPrefix, collect = false }) {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-reference-warm' });
  await client.connect();
  const started = performance.now();
  const inFlight = new Set();
  const names = collect ? { entries: [], sets: new Set() } : null;
  let rows = 0;
  let entries = 0;
  let mset = [];
  let sets = new Map();
  let inBatch = 0;
  const ready = [];
  let failure = null;

  let cur0 = null;
  let cur1 = '';
  let cur2 = '';
  let cur3 = '';
  let parts = [];
  const endEntry = () => {
    const suffix = `m:${cur0}:p:${cur1}:prov:${cur2}:freq:${cur3}`;
    mset.push(entryPrefix + suffix, `[${parts.join(',')}]`);
    const add = (set) => {
      const list = sets.get(set);
      if (list) list.push(suffix);
      else sets.set(set, [suffix]);
    };
    add('master');
    add(`m:${cur0}`);
    add(`m:${cur0}:freq:${cur3}`);
    add(`p:${cur1}`);
    add(`prov:${cur2}`);
    if (names) names.entries.push(entryPrefix + suffix);
    entries += 1;
    parts = [];
    if (++inBatch >= BATCH_ENTRIES) seal();
  };
  const seal = () => {
    if (inBatch === 0) return;
    ready.push({ mset, sets });
    mset = [];
    sets = new Map();
    inBatch = 0;
  };
  const send = async ({ mset: msetArgs, sets: setMembers }) => {
    const pipeline = redis.pipeline();
    pipeline.mset(msetArgs);
    for (const [set, members] of setMembers) {
      pipeline.sadd(indexPrefix + set, members);
      if (names) names.sets.add(indexPrefix + set);
    }
    const promise = pipeline.exec().then(
      (results) => {
        const failed = results?.find(([error]) => error);
        if (failed) failure ??= failed[0];
      },
      (error) => {
        failure ??= error;
      },
    );
    inFlight.add(promise);
    promise.then(() => inFlight.delete(promise));
    if (inFlight.size >= PIPELINES_IN_FLIGHT) await Promise.race(inFlight);
  };

  try {
    const sql = `SELECT measure::text, practice_id::text, provider_id::text, frequency::text, period_date::text, value::text
                 FROM ${TABLE} ORDER BY measure, practice_id, provider_id, frequency, period_date`;
    const stream = client.query(copyStreams.to(`COPY (${sql}) TO STDOUT`));
    let rest = '';
    for await (const chunk of stream) {
      const text = rest + chunk.toString('utf8');
      let start = 0;
      let nl = text.indexOf('\n', start);
      while (nl !== -1) {
        const f = text.slice(start, nl).split('\t');
        if (f[0] !== cur0 || f[1] !== cur1 || f[2] !== cur2 || f[3] !== cur3) {
          if (parts.length > 0) endEntry();
          cur0 = f[0];
          cur1 = f[1];
          cur2 = f[2];
          cur3 = f[3];
        }
        parts.push(`["${f[4]}",${f[5]}]`);
        rows += 1;
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      rest = text.slice(start);
      while (ready.length > 0) await send(ready.shift());
      if (failure) throw failure;
    }
    if (parts.length > 0) endEntry();
    seal();
    while (ready.length > 0) await send(ready.shift());
    await Promise.all(inFlight);
    if (failure) throw failure;
    return { rows, entries, seconds: (performance.now() - started) / 1000, names };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The service: API calls, its process id, its memory

async function api(service, method, url, body) {
  const res = await fetch(`${service.baseUrl}${url}`, {
    method,
    headers: { Authorization: `Bearer ${service.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** The service process is a child of this one whose environment says PORT=<its port>. */
function findServicePid(port) {
  let names = [];
  try {
    names = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return null;
  }
  for (const name of names) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`PORT=${port}`)) return Number(name);
    } catch {
      // gone or not ours
    }
  }
  return null;
}

function procStatusKb(pid, field) {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Samples the process's RSS every 100 ms until stopped; returns the peak in MB. */
function rssSampler(pid) {
  if (!pid) return { stop: () => ({ peakMb: null, samples: 0 }) };
  let peakKb = procStatusKb(pid, 'VmRSS') ?? 0;
  let samples = 1;
  const timer = setInterval(() => {
    const kb = procStatusKb(pid, 'VmRSS');
    if (kb !== null) {
      peakKb = Math.max(peakKb, kb);
      samples += 1;
    }
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb !== null) peakKb = Math.max(peakKb, kb);
      return { peakMb: peakKb / 1024, samples };
    },
  };
}

async function usedMemory(redis) {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);
}

// Server-side figures, immune to this machine's scheduling noise: SLOWLOG with a 0 µs threshold logs every
// command's execution time (EXEC is never logged: its total comes from INFO commandstats).
async function slowlogStart(redis) {
  await redis.config('SET', 'slowlog-max-len', '200000');
  await redis.slowlog('RESET');
  await redis.config('SET', 'slowlog-log-slower-than', '0');
}

async function slowlogStop(redis) {
  await redis.config('SET', 'slowlog-log-slower-than', '10000');
  const log = await redis.slowlog('GET', -1);
  await redis.slowlog('RESET');
  return log
    .map((e) => ({ us: Number(e[2]), command: String(e[3]?.[0] ?? '').toLowerCase(), args: e[3] ?? [] }))
    .filter((e) => e.command !== 'config' && e.command !== 'slowlog');
}

function longest(entries, match = () => true) {
  let best = { us: 0, command: '', commands: 0 };
  let count = 0;
  for (const e of entries) {
    if (!match(e)) continue;
    count += 1;
    if (e.us > best.us) best = { us: e.us, command: e.command };
  }
  return { ms: best.us / 1000, command: best.command, commands: count };
}

async function execStats(redis) {
  const m = /^cmdstat_exec:calls=(\d+),usec=(\d+)/m.exec(await redis.info('commandstats'));
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
}

/** POST warm, then poll the job until it ends (bounded); resolves to the job with its measured durations. */
async function warmThroughService(service, datasourceId, timeoutMs = 120_000) {
  const wallStarted = performance.now();
  const response = await api(service, 'POST', '/api/admin/analytics/cache/warm', { datasourceId, force: true });
  const result = response.results?.find((r) => r.datasourceId === datasourceId);
  if (result?.status !== 'queued') throw new Error(`warm not queued: ${JSON.stringify(response)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await api(service, 'GET', `/api/admin/analytics/cache/warming/jobs/${result.jobId}`);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) {
      if (job.status !== 'COMPLETED') throw new Error(`warm ${job.status}: ${job.failureReason}`);
      const seconds = (Date.parse(job.completedAt) - Date.parse(job.startedAt)) / 1000;
      return { ...job, seconds, wallSeconds: (performance.now() - wallStarted) / 1000 };
    }
    if (Date.now() > deadline) throw new Error(`warm ${result.jobId} still ${job.status} after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Query load

const queryPaths = (datasourceId) =>
  Array.from({ length: 20 }, (_, i) => {
    const measure = MEASURES[i % MEASURES.length];
    const frequency = FREQUENCIES[(i + Math.floor(i / 4)) % FREQUENCIES.length][0];
    const practice = 101 + ((i * 37) % PRACTICES);
    return `/api/analytics/datasources/${datasourceId}/query?measure=${measure}&frequency=${frequency}&practice=${practice}`;
  });

async function load(autocannon, { baseUrl, paths, headers = {}, seconds }) {
  const run = autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    headers,
    requests: paths.map((p) => ({ method: 'GET', path: p })),
  });
  const result = await withTimeout(run, (seconds + 30) * 1000, 'autocannon');
  const ok = result['2xx'] ?? 0;
  return {
    reqPerSec: (ok / Math.max(0.001, result.duration)) || result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    ok,
    non2xx: result.non2xx ?? 0,
    errors: result.errors ?? 0,
    timeouts: result.timeouts ?? 0,
    seconds: result.duration,
  };
}

async function fetchText(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, text: await res.text() };
}

function startBareServer(ctx) {
  const child = fork(new URL('./lib/bare-nest-query.mjs', import.meta.url), [], {
    env: { ...process.env, REDIS_URL: ctx.redisUrl, SERVICE_DIST: ctx.serviceDist },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const listening = new Promise((resolve, reject) => {
    child.on('message', (m) => m?.type === 'listening' && resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the bare NestJS server exited (${code}): ${stderr}`)));
  });
  return {
    port: withTimeout(listening, 30_000, 'the bare NestJS server start'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' });
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

export async function run(ctx) {
  const autocannon = await loadAutocannon();
  const dist = (file) => pathToFileURL(path.join(ctx.serviceDist, file)).href;
  const { SWAP, BEGIN_WARM } = await import(dist('analytics-cache/cache-scripts.js'));
  const { CacheKeys } = await import(dist('redis/redis-keys.js'));

  const db = new pg.Client({ connectionString: ctx.databaseUrl, application_name: 'bench-cache-engine' });
  const redis = new Redis(ctx.redisUrl, { connectionName: 'bench-engine' });
  const writer = new Redis(ctx.redisUrl, { connectionName: 'bench-engine-writer' });
  let service = null;
  let probe = null;
  let bare = null;
  const json = { shape: { rows: ROWS, entries: ENTRIES, measures: MEASURES.length, practices: PRACTICES, providersPerPractice: PROVIDERS_PER_PRACTICE, frequencies: FREQUENCIES.length, periods: PERIODS } };
  const loadBefore = os.loadavg()[0];
  try {
    await db.connect();
    // The table is built while the service boots (and migrates the same database).
    const [started] = await Promise.all([
      ctx.startService({
        CACHE_GC_GRACE_MS: String(GC_GRACE_MS),
        WARM_BATCH_ENTRIES: String(BATCH_ENTRIES),
        SOURCE_SCHEMAS: SCHEMA,
        // One principal drives all the load: no per-key limit. The database figure measures the fallback path's
        // throughput, so the fallbacks get the connections the service used before they had a pool and cap of their own.
        RATE_LIMIT_QUERY_PER_SECOND: '1000000',
        SOURCE_QUERY_POOL_SIZE: '10',
        SOURCE_QUERY_MAX_CONCURRENT: String(CONNECTIONS),
      }),
      buildSourceTable(db, ctx.log),
    ]);
    service = started;
    const port = Number(new URL(service.baseUrl).port);
    const pid = findServicePid(port);
    ctx.log(`service at ${service.baseUrl}${pid ? ` (pid ${pid})` : ' (pid not found: no RSS figure)'}`);

    const columnMapping = { measure: 'measure', practice: 'practice_id', provider: 'provider_id', frequency: 'frequency', period: 'period_date', value: 'value' };
    const hot = await api(service, 'POST', '/api/admin/datasources', { name: 'Bench 1M rows', sourceTable: TABLE, columnMapping, minWarmIntervalSeconds: 0, warmSchedule: null });
    const cold = await api(service, 'POST', '/api/admin/datasources', { name: 'Bench 1M rows (never warmed)', sourceTable: TABLE, columnMapping, minWarmIntervalSeconds: 0, warmSchedule: null });
    const ds = hot.id;

    // ---- warm #1: ours (cold Redis), memory and RSS ---------------------------------------------------------
    await sleep(500);
    const memBefore = await usedMemory(redis);
    const rssBeforeMb = pid ? (procStatusKb(pid, 'VmRSS') ?? 0) / 1024 : null;
    const sampler = rssSampler(pid);
    const warm1 = await warmThroughService(service, ds);
    const rss = sampler.stop();
    const hwmMb = pid ? (procStatusKb(pid, 'VmHWM') ?? 0) / 1024 : null;
    const memAfter = await usedMemory(redis);
    const meta1 = await redis.hgetall(CacheKeys.meta(ds));
    if (Number(meta1.rows) !== ROWS || Number(meta1.entries) !== ENTRIES) throw new Error(`warm #1 cached ${meta1.rows} rows / ${meta1.entries} entries`);
    const g1 = Number(meta1.gen);
    const bytesPerRow = (memAfter - memBefore) / ROWS;
    ctx.log(`our warm: ${warm1.seconds.toFixed(2)} s (job), ${warm1.wallSeconds.toFixed(2)} s wall; ${bytesPerRow.toFixed(1)} B/row; peak RSS ${rss.peakMb?.toFixed(0)} MB`);

    // ---- reference warms: the seed's "live" layout, then its shadow layout (used for the seed swap below) -----
    const refMemBefore = await usedMemory(redis);
    const ref1 = await referenceWarm(ctx.databaseUrl, writer, { entryPrefix: `cache:${REF_TAG}:`, indexPrefix: `idx:${REF_TAG}:`, collect: true });
    const refBytesPerRow = ((await usedMemory(redis)) - refMemBefore) / ROWS;
    const ref2 = await referenceWarm(ctx.databaseUrl, writer, { entryPrefix: `cache:shadow:${REF_TAG}:`, indexPrefix: `idx:shadow:${REF_TAG}:`, collect: true });
    if (ref1.rows !== ROWS || ref1.entries !== ENTRIES || ref2.entries !== ENTRIES) throw new Error(`reference warm read ${ref1.rows} rows / ${ref1.entries} entries`);
    ctx.log(`reference warm: ${ref1.seconds.toFixed(2)} s, again ${ref2.seconds.toFixed(2)} s; ${refBytesPerRow.toFixed(1)} B/row`);
    const oursRate = ROWS / warm1.seconds;
    const refRate = ROWS / ref1.seconds;

    // ---- PING probe: idle, our whole refresh, our GC of the old generation -----------------------------------
    probe = new PingProbe(ctx.redisUrl);
    await probe.ready();
    await probe.phase('idle');
    await sleep(2_000);
    const idle = await probe.collect('idle');

    await probe.phase('refresh');
    await slowlogStart(redis);
    const warm2 = await warmThroughService(service, ds);
    const refreshServer = longest(await slowlogStop(redis));
    const refresh = await probe.collect('refresh');
    const g2 = warm2.generation;
    if (g2 === g1 || Number(await redis.hget(CacheKeys.meta(ds), 'gen')) !== g2) throw new Error(`the refresh did not make generation ${g2} live`);

    // The previous generation is deleted by the service's BullMQ job after CACHE_GC_GRACE_MS: watch it go.
    await probe.phase('gc');
    await slowlogStart(redis);
    const oldMaster = CacheKeys.indexPrefix(ds, g1) + 'master';
    const oldSample = CacheKeys.entryPrefix(ds, g1) + `m:${MEASURES[0]}:p:101:prov:10101:freq:Daily`;
    const sizeAtSwap = await redis.dbsize();
    const gcWatchStarted = performance.now();
    let gcFirstDrop = null;
    let gcDone = null;
    while (performance.now() - gcWatchStarted < 30_000) {
      const [size, masterLeft] = await Promise.all([redis.dbsize(), redis.exists(oldMaster)]);
      if (gcFirstDrop === null && size < sizeAtSwap - 100) gcFirstDrop = performance.now();
      if (masterLeft === 0) {
        gcDone = performance.now();
        break;
      }
      await sleep(10);
    }
    await sleep(50);
    const gcServer = longest(await slowlogStop(redis), (e) => e.command !== 'ping');
    const gc = await probe.collect('gc');
    if (gcDone === null) throw new Error(`the service did not delete generation ${g1} within 30 s`);
    if ((await redis.exists(oldSample)) !== 0) throw new Error(`generation ${g1} entries left after its master set was deleted`);
    const gcMs = gcFirstDrop !== null ? gcDone - gcFirstDrop : null;
    ctx.log(`refresh ${warm2.seconds.toFixed(2)} s; old generation deleted in ~${gcMs?.toFixed(0) ?? '?'} ms`);

    // ---- the seed's swap: MULTI with one RENAME per key + SUNIONSTORE per index set --------------------------
    const renamePairs = ref2.names.entries.map((key) => [key, key.replace(`cache:shadow:${REF_TAG}:`, `cache:${REF_TAG}:`)]);
    const unionSets = [...ref2.names.sets].map((set) => set.replace(`idx:shadow:${REF_TAG}:`, `idx:${REF_TAG}:`));
    const multi = writer.multi();
    for (const [from, to] of renamePairs) multi.rename(from, to);
    for (const set of unionSets) multi.sunionstore(set, set, set.replace(`idx:${REF_TAG}:`, `idx:shadow:${REF_TAG}:`));
    await probe.phase('seed-swap');
    const execBefore = await execStats(redis);
    const seedSwapStarted = performance.now();
    const seedResults = await withTimeout(multi.exec(), 60_000, 'the seed swap');
    const seedSwapMs = performance.now() - seedSwapStarted;
    const execAfter = await execStats(redis);
    const seedServer = { ms: (execAfter.usec - execBefore.usec) / 1000, execs: execAfter.calls - execBefore.calls };
    await sleep(50);
    const seedSwap = await probe.collect('seed-swap');
    if (seedResults.some(([error]) => error)) throw new Error(`the seed swap failed: ${seedResults.find(([e]) => e)[0].message}`);
    for (const set of ref2.names.sets) await writer.unlink(set); // the seed deletes leftover shadow sets afterwards

    // ---- our swap alone: a generation prepared here (same layout), then the SWAP script via EVAL -------------
    const [g3Raw, liveRaw, epoch] = await redis.eval(BEGIN_WARM, 1, CacheKeys.meta(ds));
    const g3 = Number(g3Raw);
    if (Number(liveRaw) !== g2) throw new Error(`expected live generation ${g2}, found ${liveRaw}`);
    const prepared = await referenceWarm(ctx.databaseUrl, writer, { entryPrefix: CacheKeys.entryPrefix(ds, g3), indexPrefix: CacheKeys.indexPrefix(ds, g3) });
    if (prepared.entries !== ENTRIES) throw new Error(`prepared generation has ${prepared.entries} entries`);
    const meta2 = await redis.hgetall(CacheKeys.meta(ds));
    const fields = ['lastWarmed', 'rows', 'entries', 'indexes', 'bytes', 'measures', 'practices', 'providers', 'frequencies', 'measureList', 'sourceRows', 'jobId'].flatMap((f) => [f, meta2[f] ?? '']);
    await redis.script('LOAD', SWAP); // compiled once beforehand, as it is in a running service
    await probe.phase('swap');
    await slowlogStart(redis);
    const swapStarted = performance.now();
    const swapOutcome = await redis.eval(SWAP, 2, CacheKeys.meta(ds), CacheKeys.queryStats(ds), String(g2), epoch, String(g3), ...fields);
    const swapMs = performance.now() - swapStarted;
    const swapServer = longest(await slowlogStop(redis), (e) => e.command === 'eval' && String(e.args[1] ?? '').trim().startsWith(SWAP.trim().slice(0, 60)));
    await sleep(200);
    const swap = await probe.collect('swap');
    if (swapOutcome !== 'ok') throw new Error(`SWAP answered ${swapOutcome}`);
    ctx.log(`seed swap ${seedSwapMs.toFixed(0)} ms round trip; our SWAP ${swapMs.toFixed(2)} ms round trip`);

    // ---- naive deletions of a whole generation: one DEL (our orphaned g2), one UNLINK (the seed's live copy) ---
    const g2Keys = (await redis.smembers(CacheKeys.indexPrefix(ds, g2) + 'master')).map((s) => CacheKeys.entryPrefix(ds, g2) + s);
    const g2Sets = new Set();
    for (const key of g2Keys) {
      const c = CacheKeys.parseEntrySuffix(key.slice(CacheKeys.entryPrefix(ds, g2).length));
      for (const set of CacheKeys.indexSuffixesOf(c)) g2Sets.add(CacheKeys.indexPrefix(ds, g2) + set);
    }
    const delKeys = [...g2Keys, ...g2Sets];
    await probe.phase('del');
    await slowlogStart(redis);
    const delStarted = performance.now();
    const deleted = await redis.del(delKeys);
    const delMs = performance.now() - delStarted;
    const delServer = longest(await slowlogStop(redis), (e) => e.command === 'del');
    await sleep(50);
    const del = await probe.collect('del');
    const unlinkKeys = [...ref1.names.entries, ...ref1.names.sets];
    await probe.phase('unlink');
    await slowlogStart(redis);
    const unlinkStarted = performance.now();
    const unlinked = await redis.unlink(unlinkKeys);
    const unlinkMs = performance.now() - unlinkStarted;
    const unlinkServer = longest(await slowlogStop(redis), (e) => e.command === 'unlink');
    await sleep(50);
    const unlink = await probe.collect('unlink');
    if (deleted !== delKeys.length || unlinked !== unlinkKeys.length) throw new Error(`naive deletions removed ${deleted}/${delKeys.length} and ${unlinked}/${unlinkKeys.length} keys`);
    await probe.stop();
    probe = null;

    // ---- query: the service (hot), a bare NestJS handler, the service answering from PostgreSQL ---------------
    const auth = { authorization: `Bearer ${service.token}` };
    const paths = queryPaths(ds);
    const sample = await fetchText(`${service.baseUrl}${paths[0]}`, auth);
    const parsed = JSON.parse(sample.text);
    if (sample.status !== 200 || parsed.source !== 'cache' || parsed.generation !== g3) throw new Error(`query answered ${sample.status}: ${sample.text.slice(0, 200)}`);
    const entriesPerQuery = parsed.entries.length;
    bare = startBareServer(ctx);
    const bareUrl = `http://127.0.0.1:${await bare.port}`;
    const bareSample = await fetchText(`${bareUrl}${paths[0]}`);
    const bodiesMatch = bareSample.text === sample.text;
    if (bareSample.status !== 200 || !bodiesMatch) throw new Error(`the bare handler answered ${bareSample.status} with a different body: ${bareSample.text.slice(0, 200)}`);
    const coldPaths = queryPaths(cold.id);
    const coldSample = await fetchText(`${service.baseUrl}${coldPaths[0]}`, auth);
    const coldParsed = JSON.parse(coldSample.text);
    if (coldSample.status !== 200 || coldParsed.source !== 'database' || coldParsed.entries.length !== entriesPerQuery) {
      throw new Error(`the cold datasource answered ${coldSample.status}: ${coldSample.text.slice(0, 200)}`);
    }

    await load(autocannon, { baseUrl: service.baseUrl, paths, headers: auth, seconds: WARMUP_SECONDS });
    const ours = await load(autocannon, { baseUrl: service.baseUrl, paths, headers: auth, seconds: QUERY_SECONDS });
    ctx.log(`service: ${ours.reqPerSec.toFixed(0)} req/s, p99 ${ours.p99} ms`);
    await load(autocannon, { baseUrl: bareUrl, paths, seconds: WARMUP_SECONDS });
    const bareLoad = await load(autocannon, { baseUrl: bareUrl, paths, seconds: QUERY_SECONDS });
    ctx.log(`bare NestJS: ${bareLoad.reqPerSec.toFixed(0)} req/s, p99 ${bareLoad.p99} ms`);
    await bare.stop();
    bare = null;
    const db1 = await load(autocannon, { baseUrl: service.baseUrl, paths: coldPaths, headers: auth, seconds: COLD_QUERY_SECONDS });
    ctx.log(`service from PostgreSQL: ${db1.reqPerSec.toFixed(1)} req/s, p99 ${db1.p99} ms`);
    for (const [name, r] of [['service', ours], ['bare', bareLoad], ['database', db1]]) {
      if (r.non2xx > 0 || r.errors > 0) ctx.log(`warning: ${name} load had ${r.non2xx} non-2xx answers and ${r.errors} errors (${r.timeouts} timeouts)`);
    }

    // ---- the table -------------------------------------------------------------------------------------------
    const ratio = (a, b) => (b > 0 ? a / b : 0);
    const verdict = (ok) => (ok ? 'met' : 'MISSED');
    const warmRatio = ratio(oursRate, refRate);
    const queryRatio = ratio(ours.reqPerSec, bareLoad.reqPerSec);
    const rows = [
      { metric: 'machine load before the section (1-min average)', value: loadBefore, unit: '', note: `${os.cpus().length} cores; other work on the machine adds scheduling noise to the PING figures` },
      { metric: 'source', value: ROWS, unit: 'rows', note: `${ENTRIES.toLocaleString('en-US')} entries × ${PERIODS} rows; index in warming order` },
      { metric: 'warm, our worker (job start → completed)', value: warm1.seconds, unit: 's', note: `${warm1.wallSeconds.toFixed(2)} s from POST to COMPLETED seen` },
      { metric: 'warm, our worker', value: oursRate, unit: 'rows/s' },
      { metric: 'warm, reference pipeline (COPY → MSET/SADD)', value: ref1.seconds, unit: 's', note: `second run ${ref2.seconds.toFixed(2)} s` },
      { metric: 'warm, reference pipeline', value: refRate, unit: 'rows/s' },
      { metric: 'warm: ours / reference', value: warmRatio, unit: '×', note: `target ≥ ${TARGETS.warmRatio}× — ${verdict(warmRatio >= TARGETS.warmRatio)}` },
      { metric: 'refresh warm, our worker (under the probe)', value: warm2.seconds, unit: 's' },
      { metric: 'PING max, idle baseline', value: idle.max, unit: 'ms', note: `${idle.probes} probes, p99 ${idle.p99.toFixed(2)} ms` },
      { metric: 'PING max, our swap (SWAP script alone)', value: swap.max, unit: 'ms', note: `target ≤ ${TARGETS.swapMs} ms — ${verdict(swap.max <= TARGETS.swapMs)}; ${swap.probes} probes` },
      { metric: 'Redis time of our SWAP script (SLOWLOG)', value: swapServer.ms, unit: 'ms', note: `server side, no scheduling noise; target ≤ ${TARGETS.swapMs} ms — ${verdict(swapServer.commands === 1 && swapServer.ms <= TARGETS.swapMs)}` },
      { metric: 'PING max, our whole refresh warm', value: refresh.max, unit: 'ms', note: `writes + swap; p99 ${refresh.p99.toFixed(2)} ms, ${refresh.probes} probes` },
      { metric: 'longest Redis command in our refresh (SLOWLOG)', value: refreshServer.ms, unit: 'ms', note: `${refreshServer.command}, of ${refreshServer.commands.toLocaleString('en-US')} commands` },
      { metric: "PING max, seed's MULTI swap (RENAME × 40k + SUNIONSTORE)", value: seedSwap.max, unit: 'ms', note: `${renamePairs.length.toLocaleString('en-US')} RENAMEs + ${unionSets.length.toLocaleString('en-US')} SUNIONSTOREs` },
      { metric: "Redis time of the seed's EXEC (commandstats)", value: seedServer.ms, unit: 'ms', note: `${seedServer.execs} EXEC` },
      { metric: 'swap stall: seed / ours (PING max)', value: ratio(seedSwap.max, swap.max), unit: '×', note: `server side: ${Math.round(ratio(seedServer.ms, swapServer.ms)).toLocaleString('en-US')}×` },
      { metric: 'PING max, old generation deleted by our GC job', value: gc.max, unit: 'ms', note: `target ≤ ${TARGETS.deleteMs} ms — ${verdict(gc.max <= TARGETS.deleteMs)}; SSCAN + UNLINK batches, ~${gcMs?.toFixed(0) ?? '?'} ms` },
      { metric: 'longest Redis command in our GC (SLOWLOG)', value: gcServer.ms, unit: 'ms', note: `${gcServer.command}; server side; target ≤ ${TARGETS.deleteMs} ms — ${verdict(gcServer.ms <= TARGETS.deleteMs)}` },
      { metric: 'PING max, one DEL of a whole generation', value: del.max, unit: 'ms', note: `${delKeys.length.toLocaleString('en-US')} keys; Redis time ${delServer.ms.toFixed(1)} ms (SLOWLOG)` },
      { metric: 'PING max, one UNLINK of a whole generation', value: unlink.max, unit: 'ms', note: `${unlinkKeys.length.toLocaleString('en-US')} keys; Redis time ${unlinkServer.ms.toFixed(1)} ms (SLOWLOG)` },
      { metric: `query, our service (${entriesPerQuery} entries/answer)`, value: ours.reqPerSec, unit: 'req/s', note: `${CONNECTIONS} connections, ${QUERY_SECONDS} s, Bearer` },
      { metric: 'query p50, our service', value: ours.p50, unit: 'ms' },
      { metric: 'query p99, our service', value: ours.p99, unit: 'ms', note: `target ≤ ${TARGETS.p99Ms} ms — ${verdict(ours.p99 <= TARGETS.p99Ms)}` },
      { metric: 'query, bare NestJS handler (same EVAL + splice)', value: bareLoad.reqPerSec, unit: 'req/s', note: 'no auth, validation or counters; same body' },
      { metric: 'query p50 / p99, bare NestJS handler', value: `${bareLoad.p50} / ${bareLoad.p99}`, unit: 'ms' },
      { metric: 'query: ours / bare NestJS', value: queryRatio, unit: '×', note: `target ≥ ${TARGETS.queryRatio}× — ${verdict(queryRatio >= TARGETS.queryRatio)}` },
      { metric: 'query, our service answering from PostgreSQL', value: db1.reqPerSec, unit: 'req/s', note: `datasource never warmed; p50 / p99 ${db1.p50} / ${db1.p99} ms; ${COLD_QUERY_SECONDS} s` },
      { metric: 'query: cache / PostgreSQL', value: ratio(ours.reqPerSec, db1.reqPerSec), unit: '×' },
      { metric: 'Redis memory per cached row (used_memory delta)', value: bytesPerRow, unit: 'B', note: `target ≤ ${TARGETS.bytesPerRow} B — ${verdict(bytesPerRow <= TARGETS.bytesPerRow)}; ${((memAfter - memBefore) / 1048576).toFixed(1)} MB` },
      { metric: 'Redis memory per row, reference pipeline', value: refBytesPerRow, unit: 'B', note: 'same values and index sets' },
      {
        metric: 'service peak RSS during the warm',
        value: rss.peakMb ?? 'n/a',
        unit: 'MB',
        note: rss.peakMb === null ? 'service pid not found' : `target ≤ ${TARGETS.rssMb} MB — ${verdict(rss.peakMb <= TARGETS.rssMb)}; ${rssBeforeMb.toFixed(0)} MB before, VmHWM ${hwmMb.toFixed(0)} MB`,
      },
    ];
    Object.assign(json, {
      targets: TARGETS,
      loadAverage: { beforeSection: loadBefore, cores: os.cpus().length },
      warm: {
        ours: { seconds: warm1.seconds, wallSeconds: warm1.wallSeconds, rowsPerSec: oursRate, jobId: warm1.jobId, generation: g1 },
        reference: { seconds: ref1.seconds, rowsPerSec: refRate, secondRunSeconds: ref2.seconds, preparedGenerationSeconds: prepared.seconds },
        ratio: warmRatio,
        refresh: { seconds: warm2.seconds, wallSeconds: warm2.wallSeconds, generation: g2 },
      },
      swap: {
        idle,
        ours: { ...swap, roundTripMs: swapMs, serverMs: swapServer.ms },
        oursWholeRefresh: { ...refresh, longestCommand: refreshServer },
        seed: { ...seedSwap, roundTripMs: seedSwapMs, serverMs: seedServer.ms, execs: seedServer.execs, renames: renamePairs.length, sunionstores: unionSets.length },
      },
      deletion: {
        oursGcJob: { ...gc, approxMs: gcMs, graceMs: GC_GRACE_MS, longestCommand: gcServer },
        oneDel: { ...del, keys: delKeys.length, ms: delMs, serverMs: delServer.ms },
        oneUnlink: { ...unlink, keys: unlinkKeys.length, ms: unlinkMs, serverMs: unlinkServer.ms },
      },
      query: { entriesPerAnswer: entriesPerQuery, connections: CONNECTIONS, ours, bare: bareLoad, database: db1, ratio: queryRatio, bodiesMatch },
      memory: {
        bytesPerRow,
        usedMemoryDelta: memAfter - memBefore,
        referenceBytesPerRow: refBytesPerRow,
        servicePid: pid,
        rssBeforeMb,
        peakRssMb: rss.peakMb,
        rssSamples: rss.samples,
        vmHwmMb: hwmMb,
      },
    });
    return { title: `Cache engine on ${ROWS.toLocaleString('en-US')} rows / ${ENTRIES.toLocaleString('en-US')} entries: ours vs references`, rows, json };
  } finally {
    await probe?.stop().catch(() => undefined);
    await bare?.stop().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await db.end().catch(() => undefined);
    redis.disconnect();
    writer.disconnect();
  }
}
