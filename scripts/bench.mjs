#!/usr/bin/env node
// `npm run bench`: build (unless --no-build), then run every bench/*.bench.mjs section against its own
// private redis-server and one fresh database, print one table per section and write all results to
// bench/results.json. A section exports `async function run(ctx)` returning
// `{ title, rows: [{ metric, value, unit, note? }], json }`; `ctx` is described in makeContext below.
// Subset: `npm run bench -- --only=redis-purge`. Everything started is stopped, also on Ctrl-C.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checkPostgres, createTempDatabase, freePort, installSignalCleanup, pgAdminUrl, randomSecret, repoRoot, runCleanups,
  runProcess, spawnProcess, startPrivateRedis, tmpRoot, waitForHttp, ensureDir,
} from './lib/infra.mjs';

const benchDir = path.join(repoRoot, 'bench');
const resultsFile = path.join(benchDir, 'results.json');
const serviceMain = path.join(repoRoot, 'apps', 'cache-service', 'dist', 'main.js');
const runDir = path.join(tmpRoot, 'bench-run');
const BENCH_ADMIN = { email: 'bench-admin@example.com', password: 'Bench-Admin-Passw0rd!' };

function usage(code) {
  console.log('usage: npm run bench [-- --no-build] [--only=section[,section…]]');
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { build: true, only: null };
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') usage(0);
    else if (arg === '--no-build') opts.build = false;
    else if (arg.startsWith('--only=')) opts.only = arg.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
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
  const line = (c) => c.map((cell, i) => (i === 1 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(`\n== ${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

/**
 * What a section gets:
 *   redisUrl     a private, empty redis-server for this section only
 *   databaseUrl  a fresh PostgreSQL database for the whole run (the service migrates it when started)
 *   repoRoot     absolute path of the repository
 *   serviceDist  apps/cache-service/dist, for sections that import the built service code
 *   log(msg)     progress line, prefixed with the section name
 *   startService(env?)  starts the built service on a free port against redisUrl/databaseUrl; resolves to
 *                { baseUrl, token, stop() } once /health/ready answers (token: an admin bearer token)
 */
function makeContext(name, redisUrl, databaseUrl) {
  return {
    name,
    redisUrl,
    databaseUrl,
    repoRoot,
    serviceDist: path.join(repoRoot, 'apps', 'cache-service', 'dist'),
    log: (message) => console.log(`[${name}] ${message}`),
    async startService(env = {}) {
      if (!fs.existsSync(serviceMain)) throw new Error(`${serviceMain} not found: build first (npm run build)`);
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const service = spawnProcess(process.execPath, [serviceMain], {
        cwd: repoRoot,
        label: `cache-service (${name})`,
        logFile: path.join(runDir, `${name}.service.log`),
        quiet: true,
        env: {
          PORT: port,
          REDIS_URL: redisUrl,
          DATABASE_URL: databaseUrl,
          JWT_SECRET: randomSecret(),
          ADMIN_EMAIL: BENCH_ADMIN.email,
          ADMIN_PASSWORD: BENCH_ADMIN.password,
          SEED_DEMO: 'false',
          RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000',
          REDIS_CLUSTER_NODES: undefined,
          ...env,
        },
      });
      await waitForHttp(`${baseUrl}/health/ready`, { timeoutMs: 90_000, isAlive: service.isAlive });
      const login = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(BENCH_ADMIN),
      });
      if (login.status !== 200) throw new Error(`sign-in to the started service failed: HTTP ${login.status}`);
      const { accessToken } = await login.json();
      return { baseUrl, token: accessToken, stop: () => service.stop(10_000) };
    },
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  ensureDir(runDir);
  const files = fs.existsSync(benchDir) ? fs.readdirSync(benchDir).filter((f) => f.endsWith('.bench.mjs')).sort() : [];
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
    const build = await runProcess('npm', ['run', 'build'], { cwd: repoRoot, prefix: '[build] ', label: 'npm run build', env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' } });
    if (!build.ok) {
      console.error('the build failed: no figures');
      return 1;
    }
  }

  const db = await createTempDatabase({ prefix: 'ccc_bench' });
  const results = { startedAt: new Date().toISOString(), node: process.version, sections: {} };
  let failures = 0;
  try {
    for (const section of sections) {
      const redis = await startPrivateRedis({ label: `bench-${section.name}` });
      const started = Date.now();
      try {
        const mod = await import(pathToFileURL(section.file).href);
        if (typeof mod.run !== 'function') throw new Error(`${path.relative(repoRoot, section.file)} exports no run(ctx)`);
        const out = await mod.run(makeContext(section.name, redis.url, db.url));
        printTable(out.title ?? section.name, out.rows ?? []);
        results.sections[section.name] = { title: out.title, rows: out.rows, json: out.json, seconds: (Date.now() - started) / 1000 };
      } catch (error) {
        failures += 1;
        console.error(`\n[${section.name}] failed: ${error?.stack ?? error}`);
        results.sections[section.name] = { error: String(error?.message ?? error), seconds: (Date.now() - started) / 1000 };
      } finally {
        await redis.stop();
      }
    }
  } finally {
    await db.drop();
  }
  results.finishedAt = new Date().toISOString();
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(repoRoot, resultsFile)}`);
  return failures ? 1 : 0;
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
