#!/usr/bin/env node
// `npm run bench`: build (unless --no-build), then run every bench/*.bench.mjs section against its own
// private redis-server and one fresh database, print one table per section and write all results to
// bench/results.json. A section exports `async function run(ctx)` returning
// `{ title, rows: [{ metric, value, unit, note? }], json }`; `ctx` is described in makeContext below.
// A section fails when it throws or when a figure of its table is missing or not a number (NaN, n/a):
// the run then exits 1. `--smoke`: every section end to end on small inputs, in seconds, for `npm test`
// (which runs `--smoke --no-build --results=<file>` and counts one test per section); it never judges a
// timing. Subset: `npm run bench -- --only=redis-purge`. Everything started is stopped, also on Ctrl-C.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checkPostgres,
  createTempDatabase,
  freePort,
  installSignalCleanup,
  pgAdminUrl,
  randomSecret,
  repoRoot,
  runCleanups,
  runProcess,
  spawnProcess,
  startPrivateRedis,
  tailFile,
  tmpRoot,
  waitForHttp,
  ensureDir,
} from './lib/infra.mjs';

const benchDir = path.join(repoRoot, 'bench');
const serviceMain = path.join(repoRoot, 'apps', 'cache-service', 'dist', 'main.js');
const BENCH_ADMIN = { email: 'bench-admin@example.com', password: 'Bench-Admin-Passw0rd!' };

function usage(code) {
  console.log('usage: npm run bench [-- --no-build] [--smoke] [--only=section[,section…]] [--results=file.json]');
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { build: true, only: null, smoke: false, results: null };
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') usage(0);
    else if (arg === '--no-build') opts.build = false;
    else if (arg === '--smoke') opts.smoke = true;
    else if (arg.startsWith('--results=')) opts.results = path.resolve(arg.slice('--results='.length));
    else if (arg.startsWith('--only='))
      opts.only = arg
        .slice('--only='.length)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else {
      console.error(`unknown argument: ${arg}`);
      usage(2);
    }
  }
  return opts;
}

function formatValue(value) {
  if (typeof value !== 'number') return String(value ?? '');
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function printTable(title, rows) {
  const cells = rows.map((r) => [r.metric, formatValue(r.value), r.unit ?? '', r.note ?? '']);
  const header = ['metric', 'value', 'unit', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    c
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(`\n== ${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

/** What is wrong with a section's figures: none may be missing, and each must be a finite number or a text without NaN. */
function figureProblems(rows) {
  if (!Array.isArray(rows) || rows.length === 0) return ['the section returned no figures'];
  const broken = /\bNaN\b|\bundefined\b|\bnull\b|Infinity|^n\/a$/;
  const problems = [];
  rows.forEach((row, i) => {
    const name = row?.metric || `figure ${i + 1}`;
    const value = row?.value;
    const valid =
      typeof value === 'number'
        ? Number.isFinite(value)
        : typeof value === 'string' && value.trim() !== '' && !broken.test(value);
    if (!row?.metric) problems.push(`${name} has no name`);
    if (!valid) problems.push(`${name}: ${String(value)}`);
    if (row?.note !== undefined && broken.test(String(row.note))) problems.push(`${name}: note "${row.note}"`);
  });
  return problems;
}

/**
 * The service as every section starts it: the bench's admin, one process in role `all`, and only the limits the
 * bench's own calls would hit raised. A section adds what its figures need (and says so in its table).
 */
function serviceEnvironment({ port, redisUrl, databaseUrl, smoke }, env) {
  return {
    PORT: port,
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomSecret(),
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    SEED_DEMO: 'false',
    SERVICE_ROLE: 'all',
    // The bench's admin calls (polling a warm every 100 ms) are no figure: the general limit stays out of their way.
    RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
    // No periodic round (alert evaluation, janitor, roll-ups) lands in a measurement window.
    MONITORING_SCHEDULES: 'false',
    // Sign-in is no figure: a smoke run hashes the admin's password at the lowest cost; a full run keeps the
    // default, so the process measured has done what a real one does at start-up.
    SCRYPT_COST: smoke ? '10' : undefined,
    REDIS_CLUSTER_NODES: undefined,
    ...env,
  };
}

/**
 * What a section gets:
 *   redisUrl     a private, empty redis-server for this section only
 *   databaseUrl  a fresh PostgreSQL database for the whole run (the service migrates it when started)
 *   repoRoot     absolute path of the repository
 *   serviceDist  apps/cache-service/dist, for sections that import the built service code
 *   smoke        true in a --smoke run: small inputs and short loads, every step and figure still there
 *   log(msg)     progress line, prefixed with the section name
 *   startService(env?)  starts the built service on a free port against redisUrl/databaseUrl with
 *                serviceEnvironment() + env (checked first with the service's own configuration loader);
 *                resolves to { baseUrl, token, pid, logFile, stop() } once /health/ready answers (token: an admin bearer token;
 *                null in role worker, which serves no sign-in)
 */
function makeContext({ name, redisUrl, databaseUrl, smoke, runDir }) {
  const serviceDist = path.join(repoRoot, 'apps', 'cache-service', 'dist');
  return {
    name,
    redisUrl,
    databaseUrl,
    repoRoot,
    serviceDist,
    smoke,
    log: (message) => console.log(`[${name}] ${message}`),
    async startService(env = {}) {
      if (!fs.existsSync(serviceMain)) throw new Error(`${serviceMain} not found: build first (npm run build)`);
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const serviceEnv = serviceEnvironment({ port, redisUrl, databaseUrl, smoke }, env);
      const { loadConfig } = await import(pathToFileURL(path.join(serviceDist, 'config', 'app-config.js')).href);
      const seen = { ...process.env };
      for (const [key, value] of Object.entries(serviceEnv)) {
        if (value === undefined || value === null) delete seen[key];
        else seen[key] = String(value);
      }
      try {
        loadConfig(seen);
      } catch (error) {
        throw new Error(
          `the service refuses the bench's configuration: ${error.problems?.join('; ') ?? error.message}`,
          { cause: error },
        );
      }
      const logFile = path.join(runDir, `${name}.service.log`);
      fs.rmSync(logFile, { force: true });
      const service = spawnProcess(process.execPath, [serviceMain], {
        cwd: repoRoot,
        label: `cache-service (${name})`,
        logFile,
        quiet: true,
        env: serviceEnv,
      });
      try {
        await waitForHttp(`${baseUrl}/health/ready`, { timeoutMs: 90_000, isAlive: service.isAlive });
      } catch (error) {
        await service.stop(5_000);
        throw new Error(
          `${error.message}\n---- last lines of ${path.relative(repoRoot, logFile)} ----\n${tailFile(logFile, 30)}`,
          { cause: error },
        );
      }
      // A worker serves health and metrics only (apps/cache-service/src/worker.module.ts): nobody signs in there.
      if (serviceEnv.SERVICE_ROLE === 'worker')
        return { baseUrl, token: null, pid: service.pid, logFile, stop: () => service.stop(10_000) };
      const login = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(BENCH_ADMIN),
      });
      if (login.status !== 200)
        throw new Error(
          `sign-in to the started service failed: HTTP ${login.status} ${(await login.text()).slice(0, 300)}`,
        );
      const { accessToken } = await login.json();
      return { baseUrl, token: accessToken, pid: service.pid, logFile, stop: () => service.stop(10_000) };
    },
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const runDir = path.join(tmpRoot, opts.smoke ? 'bench-smoke' : 'bench-run');
  const resultsFile =
    opts.results ?? (opts.smoke ? path.join(runDir, 'results.json') : path.join(benchDir, 'results.json'));
  ensureDir(runDir);
  const files = fs.existsSync(benchDir)
    ? fs
        .readdirSync(benchDir)
        .filter((f) => f.endsWith('.bench.mjs'))
        .sort()
    : [];
  const sections = files
    .map((file) => ({ name: file.replace(/\.bench\.mjs$/, ''), file: path.join(benchDir, file) }))
    .filter((s) => !opts.only || opts.only.includes(s.name));
  if (sections.length === 0) {
    console.error(`no bench sections to run (bench/*.bench.mjs${opts.only ? ` named ${opts.only.join(', ')}` : ''})`);
    return 1;
  }
  await checkPostgres(pgAdminUrl());

  if (opts.build) {
    console.log('building (npm run build; skip with --no-build)…');
    const build = await runProcess('npm', ['run', 'build'], {
      cwd: repoRoot,
      prefix: '[build] ',
      label: 'npm run build',
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
    if (!build.ok) {
      console.error('the build failed: no figures');
      return 1;
    }
  }

  const db = await createTempDatabase({ prefix: 'ccc_bench' });
  const results = { startedAt: new Date().toISOString(), node: process.version, smoke: opts.smoke, sections: {} };
  try {
    for (const section of sections) {
      const redis = await startPrivateRedis({ label: `bench-${section.name}` });
      const started = Date.now();
      const seconds = () => (Date.now() - started) / 1000;
      try {
        const mod = await import(pathToFileURL(section.file).href);
        if (typeof mod.run !== 'function')
          throw new Error(`${path.relative(repoRoot, section.file)} exports no run(ctx)`);
        const out = await mod.run(
          makeContext({ name: section.name, redisUrl: redis.url, databaseUrl: db.url, smoke: opts.smoke, runDir }),
        );
        printTable(out.title ?? section.name, out.rows ?? []);
        const problems = figureProblems(out.rows);
        if (problems.length)
          console.error(`\n[${section.name}] failed: figures missing or not numbers:\n  ${problems.join('\n  ')}`);
        results.sections[section.name] = {
          ok: problems.length === 0,
          problems,
          title: out.title,
          rows: out.rows,
          json: out.json,
          seconds: seconds(),
        };
      } catch (error) {
        console.error(`\n[${section.name}] failed: ${error?.stack ?? error}`);
        results.sections[section.name] = { ok: false, error: String(error?.message ?? error), seconds: seconds() };
      } finally {
        await redis.stop();
      }
    }
  } finally {
    await db.drop();
  }
  results.finishedAt = new Date().toISOString();
  ensureDir(path.dirname(resultsFile));
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(repoRoot, resultsFile)}`);
  for (const [name, r] of Object.entries(results.sections)) {
    console.log(
      `${name}: ${r.ok ? `ok, ${r.rows.length} figures` : 'FAILED'} in ${r.seconds.toFixed(0)} s${opts.smoke ? ' (smoke run)' : ''}`,
    );
  }
  return Object.values(results.sections).every((r) => r.ok) ? 0 : 1;
}

installSignalCleanup();
let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error?.stack ?? error);
} finally {
  await runCleanups();
}
process.exit(code);
