#!/usr/bin/env node
// `npm test`:
//   checks     - repository checks: every relative link and anchor of README.md and docs/*.md resolves
//                inside the repository; the lockfile lists every platform's optional packages; the service's
//                dependency rules hold (no folder cycle in apps/cache-service/src); ESLint and Prettier --check
//                pass (scripts/lib/checks.mjs)
//   build      - `npm run build` (only when jest, vitest or browser runs)
//   jest       - service tests (apps/cache-service) against a private Redis and a fresh database: the files in
//                parallel, then those of test/serial/ (load- and timing-sensitive) one at a time; one report
//   bench      - `npm run bench -- --smoke`: every bench section end to end on small inputs; one test per
//                section, failed when it cannot complete or a figure is missing — never on a timing
//   vitest     - dashboard unit tests (apps/dashboard)
// When jest runs, bench and vitest run (one after the other) beside its parallel pass, before its serial pass.
//   browser    - Playwright in Debian's Chromium against the built service (private Redis, fresh
//                database, demo data at DEMO_SCALE=0.5, WARM_BATCH_ENTRIES=1)
//   containers - the Dockerfile and docker-compose.yml built and run with podman (scripts/containers/)
// and finish with one line `N passed, N failed[, N skipped]` summing every runner's JSON report, and a table of
// each stage's wall time and the CPU time its processes used.
// Exit 1 when anything failed. Subset: `npm test -- --only=jest,vitest,browser`; `--no-build` skips
// the build. Everything it starts (processes, redis-server, databases, containers) is removed at the end,
// also on SIGINT/SIGTERM. Work files and the service log are under .tmp/test-run/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  binPath,
  checkPostgres,
  checkRedis,
  createTempDatabase,
  ensureDir,
  freePort,
  hasCommand,
  installSignalCleanup,
  pgAdminUrl,
  randomSecret,
  redactUrl,
  repoRoot,
  runCleanups,
  runProcess,
  spawnProcess,
  startPrivateRedis,
  tailFile,
  tmpRoot,
  waitForHttp,
} from './lib/infra.mjs';
import {
  failureLines,
  mergeJestReports,
  parseJestLike,
  parsePlaywright,
  summaryLine,
  summaryTable,
  totals,
} from './lib/results.mjs';
import { runChecks } from './lib/checks.mjs';
import { runContainersStage } from './containers/scenario.mjs';

const STAGES = ['checks', 'jest', 'bench', 'vitest', 'browser', 'containers'];
const NEEDS_BUILD = ['jest', 'bench', 'vitest', 'browser'];
const ALIASES = {
  service: 'jest',
  unit: 'jest',
  dashboard: 'vitest',
  playwright: 'browser',
  e2e: 'browser',
  docs: 'checks',
  docker: 'containers',
  compose: 'containers',
};
const MIN = 60_000;
const TIMEOUTS = { build: 15 * MIN, jest: 20 * MIN, vitest: 10 * MIN, browser: 20 * MIN, ready: 60_000 };
const E2E_ADMIN = { email: 'e2e-admin@example.com', password: 'E2e-Admin-Passw0rd!' };
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'; // as in apps/dashboard/playwright.config.ts

const serviceDir = path.join(repoRoot, 'apps', 'cache-service');
const dashboardDir = path.join(repoRoot, 'apps', 'dashboard');
const rel = (p) => path.relative(repoRoot, p) || '.';

function usage(code) {
  console.log(`usage: npm test [-- --only=${STAGES.join(',')}] [--no-build] [--pattern=<file filter>]`);
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { only: [...STAGES], build: true };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--help' || a === '-h') usage(0);
    else if (a === '--no-build') opts.build = false;
    else if (a.startsWith('--pattern=')) opts.pattern = a.slice('--pattern='.length);
    else if (a === '--only' || a.startsWith('--only=')) {
      const value = a === '--only' ? argv[++i] : a.slice('--only='.length);
      const names = String(value ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean)
        .map((s) => ALIASES[s] ?? s);
      const unknown = names.filter((n) => !STAGES.includes(n));
      if (!names.length || unknown.length) {
        console.error(
          `unknown stage(s) in --only: ${unknown.join(', ') || '(none given)'}; choose from ${STAGES.join(', ')}`,
        );
        usage(2);
      }
      opts.only = STAGES.filter((s) => names.includes(s));
    } else {
      console.error(`unknown argument: ${a}`);
      usage(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
// A filtered run (--pattern, used while developing one feature) gets its own work directory, so that
// several can run side by side.
const runDir = path.join(tmpRoot, opts.pattern ? `test-run-${process.pid}` : 'test-run');
const results = [];
const running = new Map(); // stages in progress (vitest runs beside jest's parallel pass), for the summary after an interrupt

function banner(text) {
  console.log(`\n==== ${text} ${'='.repeat(Math.max(4, 76 - text.length))}`);
}

function printTail(label, file, lines = 80) {
  const tail = tailFile(file, lines);
  console.log(`---- last ${lines} lines of ${label} (${rel(file)}) ----`);
  console.log(tail || '(empty)');
  console.log(`---- end of ${label} ----`);
}

function printSummary() {
  banner('Summary');
  const failed = failureLines(results);
  if (failed.length > 0) {
    console.log('failed or flaky tests:');
    for (const line of failed) console.log(`  ${line}`);
    console.log('');
  }
  for (const line of summaryTable(results)) console.log(line);
  console.log(summaryLine(results));
}

const fail = (note) => ({ passed: 0, failed: 1, skipped: 0, note, status: 'FAILED' });
const notRun = (note) => ({ passed: 0, failed: 0, skipped: 0, note, status: 'not run' });

/**
 * CPU seconds used so far by this process's finished children (and theirs): the jest workers, browsers, private Redis
 * servers. Not the system PostgreSQL's backends. A stage's figure is the difference, a measure that other load on the
 * machine changes far less than the wall time; null where /proc is missing.
 */
function childCpuSeconds() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // cutime and cstime (fields 16 and 17 of proc(5), counted from the state field as 3), in clock ticks of 1/100 s.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

const cpuNote = (before) => {
  const now = childCpuSeconds();
  return before === null || now === null ? '' : `, children's CPU ${(now - before).toFixed(1)} s`;
};

/** Runs one stage: times it, turns a thrown error into one failure, records it. */
async function stage(name, fn) {
  banner(`${name}`);
  const started = Date.now();
  const cpuBefore = childCpuSeconds();
  // Children's CPU cannot be told apart between stages that overlap: each of them shows the sum (marked).
  for (const other of running.values()) other.overlapped = true;
  const self = { name, started, overlapped: running.size > 0 };
  running.set(name, self);
  let r;
  try {
    r = await fn();
  } catch (err) {
    console.error(`[${name}] ${err?.stack ?? err}`);
    r = fail(`crashed: ${String(err?.message ?? err).split('\n')[0]}`);
  } finally {
    running.delete(name);
  }
  if (interrupted) return r; // the signal handler records this stage and prints the summary
  const cpuAfter = childCpuSeconds();
  r = { name, ...r, seconds: (Date.now() - started) / 1000 };
  if (cpuBefore !== null && cpuAfter !== null) r.cpuSeconds = cpuAfter - cpuBefore;
  if (self.overlapped) r.cpuShared = true;
  r.status ??= r.failed ? 'FAILED' : 'ok';
  results.push(r);
  console.log(
    `[${name}] ${r.status}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.note ? ` (${r.note})` : ''}`,
  );
  return r;
}

/** A Redis for one stage: private when redis-server is on the PATH, else REDIS_URL (checked). */
async function stageRedis(label) {
  if (hasCommand('redis-server')) {
    const r = await startPrivateRedis({ label });
    console.log(`[${label}] private Redis at ${r.url}`);
    return r;
  }
  const url = process.env.REDIS_URL;
  await checkRedis(url);
  console.log(`[${label}] using REDIS_URL ${redactUrl(url)} (redis-server is not on the PATH)`);
  return { url, stop: async () => {} };
}

const firstExisting = (dir, names) => names.map((n) => path.join(dir, n)).find((p) => fs.existsSync(p));

// ---------------------------------------------------------------------------------------------

async function runContainers() {
  return runContainersStage({
    runDir,
    log: (line) =>
      console.log(
        line
          .split('\n')
          .map((l) => `[containers] ${l}`)
          .join('\n'),
      ),
  });
}

/**
 * Two passes over the service's tests, one report: the test files in parallel (two workers), then the load- and
 * timing-sensitive ones of apps/cache-service/test/serial/ one at a time (--runInBand), so that nothing else of
 * the suite competes with them. `--pattern` filters both; a pass that matches no file is not started.
 */
const JEST_PASSES = [
  { name: 'parallel', ignore: '/test/serial/', args: ['--maxWorkers=2'] },
  { name: 'serial', ignore: '^(?!.*/test/serial/)', args: ['--runInBand'] },
];

async function runJest({ alongside } = {}) {
  const config = path.join(serviceDir, 'jest.config.cjs');
  if (!fs.existsSync(config)) return fail(`${rel(config)} not found: the service tests cannot run`);
  const jest = binPath('jest', serviceDir);
  if (!jest) return fail('jest is not installed (run npm install)');
  const out = path.join(runDir, 'jest.json');
  const passes = [];
  for (const pass of JEST_PASSES) {
    const select = [
      '--config',
      'jest.config.cjs',
      '--testPathIgnorePatterns',
      '/node_modules/',
      pass.ignore,
      '--',
      ...(opts.pattern ? [opts.pattern] : []),
    ];
    const listed = spawnSync(jest, ['--listTests', '--json', ...select], { cwd: serviceDir, encoding: 'utf8' });
    let files;
    try {
      files = JSON.parse(listed.stdout);
    } catch {
      return fail(`jest --listTests failed (${pass.name} pass): ${String(listed.stderr).trim().split('\n')[0]}`);
    }
    if (files.length > 0) passes.push({ ...pass, select, files, out: path.join(runDir, `jest-${pass.name}.json`) });
  }
  if (passes.length === 0) return fail(`no service test file matches ${opts.pattern ?? '(all)'}`);
  const redis = await stageRedis('jest');
  try {
    const db = await createTempDatabase({ prefix: 'ccc_test' });
    try {
      console.log(`[jest] fresh database ${db.name}`);
      const runs = [];
      let beside = null;
      for (const pass of passes) {
        // The parallel pass leaves CPU idle (its files wait on Redis, PostgreSQL, timers: ~300 s of CPU over 250-480 s
        // on two cores), so the dashboard's unit tests and the bench's smoke run (main: one at a time) run beside it;
        // the serial pass waits for them, since nothing may compete with its load- and timing-sensitive files.
        if (pass.name === 'parallel' && alongside) beside = alongside();
        else if (beside) {
          console.log(`[jest] ${pass.name} pass waits for what ran beside the parallel pass`);
          await beside;
          beside = null;
        }
        fs.rmSync(pass.out, { force: true });
        console.log(`[jest] ${pass.name} pass: ${pass.files.length} file(s) ${pass.args.join(' ')}`);
        const passStarted = Date.now();
        const passCpu = childCpuSeconds();
        const res = await runProcess(
          jest,
          ['--json', `--outputFile=${pass.out}`, ...pass.args, '--ci', '--forceExit', ...pass.select],
          {
            cwd: serviceDir,
            prefix: '[jest] ',
            label: `jest (${pass.name})`,
            timeoutMs: TIMEOUTS.jest,
            env: { REDIS_URL: redis.url, DATABASE_URL: db.url, JWT_SECRET: randomSecret(), CI: 'true' },
          },
        );
        runs.push({ pass, res });
        console.log(`[jest] ${pass.name} pass: ${((Date.now() - passStarted) / 1000).toFixed(1)} s${cpuNote(passCpu)}`);
        if (interrupted) break;
      }
      await beside;
      mergeJestReports(
        runs.map((run) => run.pass.out),
        out,
      );
      const exitCode = runs.find((run) => run.res.code !== 0)?.res.code ?? 0;
      const r = parseJestLike(out, { exitCode: exitCode ?? 1, runner: 'jest' });
      const timedOut = runs.filter((run) => run.res.timedOut).map((run) => run.pass.name);
      if (timedOut.length) {
        r.note = [`${timedOut.join(' and ')} pass timed out after ${TIMEOUTS.jest / MIN} min`, r.note]
          .filter(Boolean)
          .join('; ');
        if (r.failed === 0) r.failed = 1;
      }
      return r;
    } finally {
      await db.drop();
    }
  } finally {
    await redis.stop();
  }
}

/** The bench's smoke run (scripts/bench.mjs --smoke) against the built service: one result per section. */
async function runBenchSmoke({ buildOk }) {
  if (!buildOk) return fail('not run: the build failed');
  const out = path.join(runDir, 'bench-smoke.json');
  fs.rmSync(out, { force: true });
  const res = await runProcess(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'bench.mjs'), '--smoke', '--no-build', `--results=${out}`],
    {
      cwd: repoRoot,
      prefix: '[bench] ',
      label: 'bench --smoke',
      timeoutMs: 5 * MIN,
    },
  );
  let sections;
  try {
    sections = Object.entries(JSON.parse(fs.readFileSync(out, 'utf8')).sections);
  } catch {
    return fail(
      `bench --smoke ${res.timedOut ? 'timed out after 5 min' : `exited ${res.code ?? res.signal}`} without results`,
    );
  }
  const failed = sections.filter(([, r]) => !r.ok).map(([name]) => name);
  const note = [failed.length && `failed: ${failed.join(', ')}`, res.timedOut && 'timed out after 5 min']
    .filter(Boolean)
    .join('; ');
  return {
    passed: sections.length - failed.length,
    failed: failed.length || (res.code === 0 ? 0 : 1),
    skipped: 0,
    note,
  };
}

async function runVitest() {
  const config = firstExisting(dashboardDir, [
    'vitest.config.ts',
    'vitest.config.mts',
    'vitest.config.js',
    'vitest.config.mjs',
    'vite.config.ts',
    'vite.config.mts',
    'vite.config.js',
    'vite.config.mjs',
  ]);
  if (!config)
    return fail(`no vitest.config.* or vite.config.* in ${rel(dashboardDir)}: the dashboard tests cannot run`);
  const vitest = binPath('vitest', dashboardDir);
  if (!vitest) return fail('vitest is not installed (run npm install)');
  const out = path.join(runDir, 'vitest.json');
  const res = await runProcess(
    vitest,
    [
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
      ...(opts.pattern ? [opts.pattern] : []),
    ],
    { cwd: dashboardDir, prefix: '[vitest] ', label: 'vitest', timeoutMs: TIMEOUTS.vitest, env: { CI: 'true' } },
  );
  const r = parseJestLike(out, { exitCode: res.code ?? 1, runner: 'vitest' });
  if (res.timedOut) {
    r.note = [`timed out after ${TIMEOUTS.vitest / MIN} min`, r.note].filter(Boolean).join('; ');
    if (r.failed === 0) r.failed = 1;
  }
  return r;
}

async function runBrowser({ buildOk }) {
  const config = path.join(dashboardDir, 'playwright.config.ts');
  if (!fs.existsSync(config)) return fail(`${rel(config)} not found: the browser tests cannot run`);
  if (!buildOk) return fail('not run: the build failed');
  const mainJs = path.join(serviceDir, 'dist', 'main.js');
  if (!fs.existsSync(mainJs)) return fail(`${rel(mainJs)} not found: build the service first`);
  const dashboardDist = path.join(dashboardDir, 'dist');
  if (!fs.existsSync(path.join(dashboardDist, 'index.html')))
    return fail(`${rel(dashboardDist)}/index.html not found: build the dashboard first`);
  if (!fs.existsSync(CHROMIUM))
    return fail(`${CHROMIUM} not found (apt-get install -y --no-install-recommends chromium)`);
  const playwright = binPath('playwright', repoRoot);
  if (!playwright) return fail('playwright is not installed (run npm install)');

  const out = path.join(runDir, 'playwright.json');
  const serviceLog = path.join(runDir, 'service.log');
  fs.rmSync(serviceLog, { force: true });
  const redis = await stageRedis('browser');
  try {
    const db = await createTempDatabase({ prefix: 'ccc_test' });
    try {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      console.log(`[browser] fresh database ${db.name}; starting the service on ${baseUrl} (log: ${rel(serviceLog)})`);
      const service = spawnProcess(process.execPath, [mainJs], {
        cwd: repoRoot,
        label: 'cache-service',
        logFile: serviceLog,
        quiet: true,
        env: {
          PORT: port,
          REDIS_URL: redis.url,
          DATABASE_URL: db.url,
          JWT_SECRET: randomSecret(),
          ADMIN_EMAIL: E2E_ADMIN.email,
          ADMIN_PASSWORD: E2E_ADMIN.password,
          SEED_DEMO: 'true',
          // Large enough, in small write batches, that cache-warming.spec can pause a warm mid-way
          // (Revenue Analytics: 135,168 rows); seeding at this scale takes a few seconds.
          DEMO_SCALE: '0.5',
          WARM_BATCH_ENTRIES: '1',
          // Every spec signs in (through the page and the API), dozens of times a minute from one address; the
          // sign-in limit itself is proven by the jest suite (sign-in-protection), not here.
          RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
          DASHBOARD_DIR: dashboardDist,
          SERVICE_ROLE: 'all',
          REDIS_CLUSTER_NODES: undefined,
          CORS_ORIGINS: undefined,
        },
      });
      try {
        const readyStarted = Date.now();
        try {
          await waitForHttp(`${baseUrl}/health/ready`, { timeoutMs: TIMEOUTS.ready, isAlive: service.isAlive });
        } catch (err) {
          let why = err.message;
          if (!service.isAlive()) {
            const { code, signal } = await service.exited; // also lets the log flush
            why = `the service exited (${code ?? signal}) before /health/ready answered 200`;
          }
          console.error(`[browser] the service did not become ready: ${why}`);
          printTail('the service log', serviceLog);
          return fail(`service not ready: ${why}`);
        }
        console.log(`[browser] service ready after ${((Date.now() - readyStarted) / 1000).toFixed(1)} s`);
        const res = await runProcess(playwright, ['test', '-c', rel(config), ...(opts.pattern ? [opts.pattern] : [])], {
          cwd: repoRoot,
          prefix: '[browser] ',
          label: 'playwright',
          timeoutMs: TIMEOUTS.browser,
          env: {
            CI: 'true',
            BASE_URL: baseUrl,
            E2E_ADMIN_EMAIL: E2E_ADMIN.email,
            E2E_ADMIN_PASSWORD: E2E_ADMIN.password,
            PLAYWRIGHT_JSON_OUTPUT: out,
            PLAYWRIGHT_JSON_OUTPUT_FILE: out, // Playwright's own variable: wins over a config outputFile
          },
        });
        const r = parsePlaywright(out, { exitCode: res.code ?? 1 });
        if (r.crashed) {
          r.note += `; see the output above, and check that ${rel(config)} keeps its json reporter`;
        }
        if (res.timedOut) {
          r.note = [`timed out after ${TIMEOUTS.browser / MIN} min`, r.note].filter(Boolean).join('; ');
          if (r.failed === 0) r.failed = 1;
        }
        if (!service.isAlive()) {
          r.note = ['the service exited during the tests', r.note].filter(Boolean).join('; ');
          if (r.failed === 0) r.failed = 1;
        }
        if (r.failed && !interrupted) printTail('the service log', serviceLog);
        return r;
      } finally {
        await service.stop(10_000);
      }
    } finally {
      await db.drop();
    }
  } finally {
    await redis.stop();
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  ensureDir(runDir);
  for (const f of ['jest.json', 'jest-parallel.json', 'jest-serial.json', 'vitest.json', 'playwright.json'])
    fs.rmSync(path.join(runDir, f), { force: true });
  console.log(`stages: ${opts.only.join(', ')}${opts.build ? '' : ' (no build)'}; work dir ${rel(runDir)}`);

  // Preflight: the stages that need PostgreSQL/Redis are not started when these are missing.
  let infraOk = true;
  const needsInfra = opts.only.some((s) => s === 'jest' || s === 'browser');
  if (needsInfra) {
    const problems = [];
    try {
      await checkPostgres(pgAdminUrl());
    } catch (err) {
      problems.push(`${err.message} (admin URL from PG_ADMIN_URL)`);
    }
    if (!hasCommand('redis-server')) {
      if (!process.env.REDIS_URL) {
        problems.push(
          'redis-server is not on the PATH and REDIS_URL is unset: refusing to guess a Redis the tests may flush. ' +
            'Install redis-server (apt-get install -y redis-server) or set REDIS_URL to a disposable Redis.',
        );
      } else {
        try {
          await checkRedis(process.env.REDIS_URL);
        } catch (err) {
          problems.push(err.message);
        }
      }
    }
    if (problems.length) {
      infraOk = false;
      banner('preflight');
      for (const p of problems) console.error(`[preflight] ${p}`);
      results.push({ name: 'preflight', ...fail(problems.map((p) => p.split(' (')[0]).join('; ')), seconds: 0 });
    }
  }

  if (opts.only.includes('checks')) await stage('checks', () => runChecks(repoRoot));

  let buildOk = true;
  if (opts.build && opts.only.some((s) => NEEDS_BUILD.includes(s))) {
    const r = await stage('build', async () => {
      const res = await runProcess('npm', ['run', 'build'], {
        cwd: repoRoot,
        prefix: '[build] ',
        label: 'npm run build',
        timeoutMs: TIMEOUTS.build,
        env: { CI: 'true', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      });
      if (res.ok) return { passed: 0, failed: 0, skipped: 0, note: '' };
      return fail(
        res.timedOut ? `timed out after ${TIMEOUTS.build / MIN} min` : `npm run build exited ${res.code ?? res.signal}`,
      );
    });
    buildOk = r.failed === 0;
  }

  // Stages that run beside jest's parallel pass (see runJest), one after the other, when jest runs too.
  const besideJest = { vitest: runVitest, bench: () => runBenchSmoke({ buildOk }) };
  const started = new Set();
  let besideRun = null;
  const runBeside = async () => {
    for (const name of opts.only.filter((s) => s in besideJest && !started.has(s))) {
      started.add(name);
      await stage(name, besideJest[name]);
    }
  };
  for (const name of opts.only) {
    if ((name === 'jest' || name === 'browser') && !infraOk) {
      results.push({ name, ...notRun('PostgreSQL/Redis unavailable (see preflight)'), seconds: 0 });
      continue;
    }
    if (name === 'jest') {
      await stage('jest', () => runJest({ alongside: () => (besideRun ??= runBeside()) }));
      await besideRun;
    }
    if (name in besideJest && !started.has(name)) {
      started.add(name);
      await stage(name, besideJest[name]);
    }
    if (name === 'browser') await stage('browser', () => runBrowser({ buildOk }));
    if (name === 'containers') await stage('containers', runContainers);
  }
}

let interrupted = false;
let interruptedStages = [];
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (!interrupted) interruptedStages = [...running.values()];
    interrupted = true;
  });
}
installSignalCleanup((signal) => {
  for (const cur of interruptedStages)
    results.push({ name: cur.name, ...fail(`interrupted by ${signal}`), seconds: (Date.now() - cur.started) / 1000 });
  if (interruptedStages.length === 0) results.push({ name: 'run', ...fail(`interrupted by ${signal}`), seconds: 0 });
  printSummary();
});

try {
  await main();
} catch (err) {
  console.error(err?.stack ?? err);
  results.push({ name: 'runner', ...fail(`crashed: ${String(err?.message ?? err).split('\n')[0]}`), seconds: 0 });
} finally {
  await runCleanups();
}
if (results.length === 0) results.push({ name: 'run', ...fail('no stage ran'), seconds: 0 });
printSummary();
process.exit(totals(results).failed > 0 ? 1 : 0);
