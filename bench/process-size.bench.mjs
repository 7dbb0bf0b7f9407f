// Bench section: the size of a service process in each role (docs/operations.md: SERVICE_ROLE), idle and at its
// peak during a 1,000,000-row warm. First an `api` and a `worker` process side by side (the API takes the warm
// request, the worker runs it), then the worker again with tighter V8 limits given in NODE_OPTIONS (for comparison
// with the limits a worker sets itself, apps/cache-service/src/process-limits.ts), then one process in role `all`
// doing both. RSS comes from /proc (VmRSS sampled every
// 100 ms); the V8 heap figures from the process's own /metrics (prom-client's nodejs_heap_* gauges), so the table
// says how much of a process is JavaScript heap and how much is code, native libraries and buffers.
// `--smoke` runs the same steps on a 20,000-row source.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { procStatusKb, rssSampler } from './lib/server-figures.mjs';
import { api, warmThroughService } from './lib/service-api.mjs';
import { buildSourceTable, FREQUENCIES, MEASURES, PERIODS, PROVIDERS_PER_PRACTICE } from './lib/source-table.mjs';

const SCHEMA = 'bench_roles';
const TABLE = `${SCHEMA}.facts`;
const TARGET_WORKER_PEAK_MB = 150;
/**
 * Tighter V8 limits than a worker sets itself (a 4 MB young generation per semi-space, src/process-limits.ts): a 2 MB
 * one and a capped old generation (docs/operations.md, "Process size"). What they save against what the warm pays.
 */
export const WORKER_NODE_OPTIONS = '--max-semi-space-size=2 --max-old-space-size=160';
const COLUMN_MAPPING = {
  measure: 'measure',
  practice: 'practice_id',
  provider: 'provider_id',
  frequency: 'frequency',
  period: 'period_date',
  value: 'value',
};

const mb = (kb) => (kb ?? NaN) / 1024;

/** The heap figures a process reports on /metrics (MB). */
async function heapFigures(service) {
  const res = await fetch(`${service.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const gauge = (name) => Number(new RegExp(`^ccc_${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(text)?.[1]) / 1048576;
  return {
    heapUsedMb: gauge('nodejs_heap_size_used_bytes'),
    heapTotalMb: gauge('nodejs_heap_size_total_bytes'),
    externalMb: gauge('nodejs_external_memory_bytes'),
  };
}

/** Idle figures of a started process: its RSS once start-up's garbage has had a few seconds to go. */
async function idleFigures(service, settleMs) {
  await sleep(settleMs);
  return { rssMb: mb(procStatusKb(service.pid, 'VmRSS')), ...(await heapFigures(service)) };
}

/** Warms through `front` while sampling the RSS of every process in `watched`; their peaks in MB. */
async function warmWatched(front, datasourceId, watched, timeoutMs) {
  const samplers = watched.map((service) => rssSampler(service.pid));
  const job = await warmThroughService(front, datasourceId, timeoutMs);
  return { job, peaks: samplers.map((sampler) => sampler.stop().peakMb) };
}

export async function run(ctx) {
  const practices = ctx.smoke ? 5 : 250;
  const rows = MEASURES.length * practices * PROVIDERS_PER_PRACTICE * FREQUENCIES.length * PERIODS;
  const settleMs = ctx.smoke ? 500 : 3_000;
  const timeoutMs = ctx.smoke ? 30_000 : 180_000;
  const env = { SOURCE_SCHEMAS: SCHEMA };
  const db = new pg.Client({ connectionString: ctx.databaseUrl, application_name: 'bench-process-size' });
  const started = [];
  const start = async (role, extra = {}) => {
    const service = await ctx.startService({ ...env, ...extra, SERVICE_ROLE: role });
    started.push(service);
    return service;
  };
  const stop = async (service) => {
    started.splice(started.indexOf(service), 1);
    await service.stop();
  };
  const loadBefore = os.loadavg()[0];
  try {
    await db.connect();
    await buildSourceTable(db, ctx.log, { table: TABLE, practices, rows });

    // ---- api + worker, side by side --------------------------------------------------------------------------
    const apiRole = await start('api');
    const workerRole = await start('worker');
    const apiIdle = await idleFigures(apiRole, settleMs);
    const workerIdle = await idleFigures(workerRole, 0);
    const ds = (
      await api(apiRole, 'POST', '/api/admin/datasources', {
        name: 'Bench process size',
        sourceTable: TABLE,
        columnMapping: COLUMN_MAPPING,
        minWarmIntervalSeconds: 0,
        warmSchedule: null,
      })
    ).id;
    const split = await warmWatched(apiRole, ds, [apiRole, workerRole], timeoutMs);
    if (split.job.rowsProcessed !== undefined && split.job.rowsProcessed !== rows)
      throw new Error(`the worker warmed ${split.job.rowsProcessed} of ${rows} rows`);
    const workerHwm = mb(procStatusKb(workerRole.pid, 'VmHWM'));
    const workerAfter = await heapFigures(workerRole);
    ctx.log(
      `api ${apiIdle.rssMb.toFixed(0)} → ${split.peaks[0].toFixed(0)} MB, worker ${workerIdle.rssMb.toFixed(0)} → ${split.peaks[1].toFixed(0)} MB (warm ${split.job.seconds.toFixed(1)} s)`,
    );
    await stop(workerRole);

    // ---- the same worker with the tighter V8 limits of WORKER_NODE_OPTIONS -----------------------------------------
    const tunedRole = await start('worker', { NODE_OPTIONS: WORKER_NODE_OPTIONS });
    const tunedIdle = await idleFigures(tunedRole, settleMs);
    const tuned = await warmWatched(apiRole, ds, [tunedRole], timeoutMs);
    ctx.log(
      `worker with ${WORKER_NODE_OPTIONS}: ${tunedIdle.rssMb.toFixed(0)} → ${tuned.peaks[0].toFixed(0)} MB (warm ${tuned.job.seconds.toFixed(1)} s)`,
    );
    await stop(tunedRole);
    await stop(apiRole);

    // ---- all: one process doing both -------------------------------------------------------------------------
    const allRole = await start('all');
    const allIdle = await idleFigures(allRole, settleMs);
    const whole = await warmWatched(allRole, ds, [allRole], timeoutMs);
    ctx.log(
      `all ${allIdle.rssMb.toFixed(0)} → ${whole.peaks[0].toFixed(0)} MB (warm ${whole.job.seconds.toFixed(1)} s)`,
    );
    await stop(allRole);

    const verdict = (ok) => (ctx.smoke ? 'no verdict in a smoke run' : ok ? 'met' : 'MISSED');
    const heapNote = (f) =>
      `V8 heap ${f.heapUsedMb.toFixed(0)} MB used of ${f.heapTotalMb.toFixed(0)} MB, external ${f.externalMb.toFixed(0)} MB; the rest is code, native libraries and buffers`;
    const table = [
      {
        metric: 'machine load before the section (1-min average)',
        value: loadBefore,
        unit: '',
        note: `${os.cpus().length} cores`,
      },
      {
        metric: 'source',
        value: rows,
        unit: 'rows',
        note: ctx.smoke
          ? 'smoke run: figures not comparable with a full run'
          : `${(rows / PERIODS).toLocaleString('en-US')} entries`,
      },
      { metric: 'role api: idle RSS', value: apiIdle.rssMb, unit: 'MB', note: heapNote(apiIdle) },
      {
        metric: 'role api: peak RSS while a worker warms',
        value: split.peaks[0],
        unit: 'MB',
        note: 'takes the warm request, answers the job polls',
      },
      { metric: 'role worker: idle RSS', value: workerIdle.rssMb, unit: 'MB', note: heapNote(workerIdle) },
      {
        metric: 'role worker: peak RSS during the warm',
        value: split.peaks[1],
        unit: 'MB',
        note: `target ≤ ${TARGET_WORKER_PEAK_MB} MB — ${verdict(split.peaks[1] <= TARGET_WORKER_PEAK_MB)}; VmHWM ${workerHwm.toFixed(0)} MB (since start, start-up included); warm ${split.job.seconds.toFixed(1)} s; after it: ${heapNote(workerAfter)}`,
      },
      {
        metric: 'role worker, tighter V8 limits: idle RSS',
        value: tunedIdle.rssMb,
        unit: 'MB',
        note: `NODE_OPTIONS=${WORKER_NODE_OPTIONS}; ${heapNote(tunedIdle)}`,
      },
      {
        metric: 'role worker, tighter V8 limits: peak RSS during the warm',
        value: tuned.peaks[0],
        unit: 'MB',
        note: `target ≤ ${TARGET_WORKER_PEAK_MB} MB — ${verdict(tuned.peaks[0] <= TARGET_WORKER_PEAK_MB)}; warm ${tuned.job.seconds.toFixed(1)} s (${split.job.seconds.toFixed(1)} s without the limits)`,
      },
      { metric: 'role all: idle RSS', value: allIdle.rssMb, unit: 'MB', note: heapNote(allIdle) },
      {
        metric: 'role all: peak RSS during the warm',
        value: whole.peaks[0],
        unit: 'MB',
        note: `warm ${whole.job.seconds.toFixed(1)} s`,
      },
    ];
    const json = {
      smoke: ctx.smoke,
      rows,
      loadAverage: loadBefore,
      api: { idle: apiIdle, peakMb: split.peaks[0] },
      workerWithLimits: {
        nodeOptions: WORKER_NODE_OPTIONS,
        idle: tunedIdle,
        peakMb: tuned.peaks[0],
        warmSeconds: tuned.job.seconds,
      },
      worker: {
        idle: workerIdle,
        peakMb: split.peaks[1],
        vmHwmMb: workerHwm,
        afterWarm: workerAfter,
        warmSeconds: split.job.seconds,
      },
      all: { idle: allIdle, peakMb: whole.peaks[0], warmSeconds: whole.job.seconds },
      targetWorkerPeakMb: TARGET_WORKER_PEAK_MB,
    };
    return {
      title: `Process size per role, idle and during a ${rows.toLocaleString('en-US')}-row warm${ctx.smoke ? ' (smoke run)' : ''}`,
      rows: table,
      json,
    };
  } finally {
    for (const service of started) await service.stop().catch(() => undefined);
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}
