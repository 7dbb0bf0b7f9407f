#!/usr/bin/env node
// `npm start`: check Redis and PostgreSQL, create the database if needed, build (unless --no-build),
// run the cache service in the foreground with demo data, and say where to open it and how to sign in.
//
// Environment (defaults for a developer machine): PORT=3000, REDIS_URL=redis://127.0.0.1:6379,
// DATABASE_URL=postgres://postgres@127.0.0.1:5432/ccc, ADMIN_EMAIL=admin@example.com,
// ADMIN_PASSWORD=ChangeMe-Admin-1 (dev default only), SEED_DEMO=true. JWT_SECRET, when unset, is
// generated once and kept in .tmp/dev-jwt-secret so that sign-ins survive restarts.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkRedis,
  ensureDatabase,
  ensureDir,
  installSignalCleanup,
  randomSecret,
  redactUrl,
  repoRoot,
  runProcess,
  tmpRoot,
  waitForHttp,
} from './lib/infra.mjs';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    'usage: npm start [-- --no-build]   (environment: PORT REDIS_URL DATABASE_URL ADMIN_EMAIL ADMIN_PASSWORD SEED_DEMO JWT_SECRET ...)',
  );
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--no-build');
if (unknown.length) {
  console.error(`unknown argument(s): ${unknown.join(' ')} (usage: npm start [-- --no-build])`);
  process.exit(2);
}
const build = !args.includes('--no-build');

const DEFAULTS = {
  PORT: '3000',
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ccc',
  ADMIN_EMAIL: 'admin@example.com',
  ADMIN_PASSWORD: 'ChangeMe-Admin-1',
  SEED_DEMO: 'true',
};
const production = process.env.NODE_ENV === 'production';
const env = { ...process.env };
const passwordFromEnv = Boolean(process.env.ADMIN_PASSWORD);

function die(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

if (production && process.env.ADMIN_EMAIL && !passwordFromEnv) {
  die('ADMIN_EMAIL is set but ADMIN_PASSWORD is not: NODE_ENV=production never uses the development default password');
}
for (const [k, v] of Object.entries(DEFAULTS)) {
  if (env[k]) continue;
  // No well-known password in production, and no default admin email without a password to go with it.
  if (production && (k === 'ADMIN_PASSWORD' || (k === 'ADMIN_EMAIL' && !passwordFromEnv))) continue;
  env[k] = v;
}

if (!/^\d+$/.test(env.PORT)) die(`PORT must be a number, got ${JSON.stringify(env.PORT)}`);

// Redis and PostgreSQL first: one clear line each when they are missing.
if (!env.REDIS_CLUSTER_NODES) {
  try {
    await checkRedis(env.REDIS_URL);
  } catch (err) {
    die(err.message);
  }
}
try {
  const { created, name } = await ensureDatabase(env.DATABASE_URL);
  if (created) console.log(`npm start: created database ${name}`);
} catch (err) {
  die(err.message);
}

// A dev JWT secret that survives restarts (never in production: the service demands one there).
if (!env.JWT_SECRET) {
  if (production) die('JWT_SECRET is required when NODE_ENV=production (generate one: openssl rand -hex 32)');
  const file = path.join(tmpRoot, 'dev-jwt-secret');
  let secret = '';
  try {
    secret = fs.readFileSync(file, 'utf8').trim();
  } catch {
    /* first start */
  }
  if (secret.length < 32) {
    secret = randomSecret(48);
    ensureDir(tmpRoot);
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    console.log(`npm start: generated a development JWT secret in ${path.relative(repoRoot, file)}`);
  }
  env.JWT_SECRET = secret;
}
if (production && !env.ADMIN_PASSWORD) {
  console.log(
    'npm start: NODE_ENV=production without ADMIN_EMAIL/ADMIN_PASSWORD: no admin is created, so the database must hold ' +
      'one already (the service refuses to start otherwise); set both for the first start',
  );
}

// Until the service runs, Ctrl-C stops whatever we started (the build runs in its own process group).
const uninstallCleanup = installSignalCleanup();
if (build) {
  console.log('npm start: building (npm run build; skip with `npm start -- --no-build`)...');
  const res = await runProcess('npm', ['run', 'build'], {
    cwd: repoRoot,
    prefix: '[build] ',
    label: 'npm run build',
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  if (!res.ok) die(`the build failed (npm run build exited ${res.code ?? res.signal})`);
}
const mainJs = path.join(repoRoot, 'apps', 'cache-service', 'dist', 'main.js');
if (!fs.existsSync(mainJs)) die(`${path.relative(repoRoot, mainJs)} not found: run npm run build`);

// The service in the foreground. It gets its own process group, so a Ctrl-C reaches it exactly once:
// forwarded by us (npm and the terminal may both signal this process).
uninstallCleanup();
const child = spawn(process.execPath, [mainJs], {
  cwd: repoRoot,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});
let firstSignalAt = 0;
const forward = (signal) => {
  const now = Date.now();
  if (!firstSignalAt) {
    firstSignalAt = now;
    try {
      process.kill(child.pid, signal);
    } catch {
      /* already gone */
    }
  } else if (now - firstSignalAt > 1000) {
    console.error(`npm start: ${signal} again: killing the service`);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));
process.on('SIGHUP', () => forward('SIGTERM'));
child.on('error', (err) => die(`cannot start the service: ${err.message}`));
let exited = false;
child.on('exit', (code, signal) => {
  exited = true;
  if (signal && !firstSignalAt) console.error(`npm start: the service was killed by ${signal}`);
  process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
});

const base = `http://localhost:${env.PORT}`;
try {
  // demo seeding at full scale can take a while on first start; keep waiting while the service lives
  await waitForHttp(`http://127.0.0.1:${env.PORT}/health/ready`, {
    timeoutMs: 10 * 60_000,
    intervalMs: 1000,
    isAlive: () => !exited,
  });
} catch (err) {
  if (!exited) console.error(`npm start: ${err.message}; the service keeps running`);
  // if it exited, the exit handler reports
}
if (!exited) {
  const password = passwordFromEnv ? '(the ADMIN_PASSWORD you set)' : env.ADMIN_PASSWORD;
  const docsOff = (env.API_DOCS ?? (production ? 'off' : 'public')) === 'off';
  const lines = [
    'Cache Command Center is ready',
    '',
    `  Open       ${base}`,
    docsOff ? '  Swagger    off (API_DOCS=off)' : `  Swagger    ${base}/api/docs`,
    env.ADMIN_EMAIL ? `  Sign in    ${env.ADMIN_EMAIL}  /  ${password}` : '  Sign in    with an existing admin account',
    '',
    `  Redis ${redactUrl(env.REDIS_URL)}   PostgreSQL ${redactUrl(env.DATABASE_URL)}`,
    '  The admin is created at the first start only; Ctrl-C stops the service.',
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '='.repeat(width);
  console.log(`\n${bar}\n${lines.map((l) => (l ? `  ${l}` : '')).join('\n')}\n${bar}\n`);
}
