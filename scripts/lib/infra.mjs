// Reusable run/test plumbing: free ports, a private redis-server, reachability checks for Redis and
// PostgreSQL, throw-away databases, child processes with prefixed output, HTTP readiness polling and
// a cleanup registry that also runs on SIGINT/SIGTERM. Node 20 built-ins plus `pg`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const tmpRoot = path.join(repoRoot, '.tmp');

export const RESTART_HINTS = {
  redis: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function randomId(bytes = 4) {
  return randomBytes(bytes).toString('hex');
}

export function randomSecret(bytes = 48) {
  return randomBytes(bytes).toString('base64url');
}

/** Returns the URL with any password replaced by `***`, for messages. */
export function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return String(url);
  }
}

export function ensureDir(dir) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Is `cmd` an executable on the PATH? */
export function hasCommand(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

/** Path of a package binary (node_modules/.bin), searched from `fromDir` up to the repo root. */
export function binPath(name, fromDir = repoRoot) {
  let dir = path.resolve(fromDir);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', '.bin', name);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Last `lines` lines of a text file ('' when it does not exist). */
export function tailFile(file, lines = 60) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup registry

const cleanups = [];
const inFlight = new Set(); // cleanups started by their owner, still running
let cleaning = null;

function startEntry(entry) {
  if (!entry.promise) {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
    entry.promise = Promise.resolve().then(entry.fn);
    inFlight.add(entry.promise);
    entry.promise.then(
      () => inFlight.delete(entry.promise),
      () => inFlight.delete(entry.promise),
    );
  }
  return entry.promise;
}

/** Registers an async cleanup; returns a function that runs it once (later calls share that run). */
export function onCleanup(fn, label = 'cleanup') {
  const entry = { fn, label, promise: null };
  cleanups.push(entry);
  return () => startEntry(entry);
}

/**
 * Runs every registered cleanup not yet started, newest first, and waits for those already running;
 * errors are printed, never thrown.
 */
export function runCleanups() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    while (cleanups.length) {
      const entry = cleanups[cleanups.length - 1];
      try {
        await startEntry(entry);
      } catch (err) {
        process.stderr.write(`[cleanup] ${entry.label}: ${err?.message ?? err}\n`);
      }
    }
    await Promise.allSettled([...inFlight]);
  })().finally(() => {
    cleaning = null;
  });
  return cleaning;
}

/**
 * On SIGINT/SIGTERM: calls `beforeExit(signal)` (optional), runs all cleanups, exits 130/143.
 * A second signal (more than 1.5 s after the first) while cleaning up exits at once. Returns a function that removes the handlers.
 */
export function installSignalCleanup(beforeExit) {
  let caughtAt = 0;
  const handler = async (signal) => {
    if (caughtAt) {
      // npm forwards the terminal's Ctrl-C to us as well: a repeat within 1.5 s is the same one
      if (Date.now() - caughtAt < 1500) return;
      process.stderr.write(`\n[cleanup] second ${signal}: exiting without finishing cleanup\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    caughtAt = Date.now();
    process.stderr.write(`\n[cleanup] ${signal} received: stopping children, Redis and databases...\n`);
    try {
      await runCleanups();
      if (beforeExit) await beforeExit(signal);
    } finally {
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

// ---------------------------------------------------------------------------------------------
// Ports

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Redis

function encodeCommand(args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
}

/**
 * Sends AUTH (when the URL has credentials) and PING over a raw socket; resolves on +PONG, rejects
 * with a short reason otherwise. Supports redis:// and rediss://.
 */
export function redisPing(url, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      reject(new Error('invalid URL'));
      return;
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
      reject(new Error(`unsupported scheme ${u.protocol}`));
      return;
    }
    const host = (u.hostname || '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
    const port = Number(u.port || 6379);
    const commands = [];
    if (u.password) {
      commands.push(
        u.username
          ? ['AUTH', decodeURIComponent(u.username), decodeURIComponent(u.password)]
          : ['AUTH', decodeURIComponent(u.password)],
      );
    }
    commands.push(['PING']);
    const sock =
      u.protocol === 'rediss:'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
        : net.connect({ host, port });
    let buf = '';
    let replies = 0;
    const done = (err) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    sock.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      sock.write(commands.map(encodeCommand).join(''));
    });
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let idx;
      while ((idx = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        replies += 1;
        if (line.startsWith('-')) return done(Object.assign(new Error(line.slice(1)), { redisReply: true }));
        if (replies === commands.length) {
          return line === '+PONG' ? done() : done(new Error(`unexpected reply ${JSON.stringify(line)}`));
        }
      }
    });
    sock.on('error', (err) => done(new Error(err.code || err.message)));
    sock.on('close', () => done(new Error('connection closed')));
  });
}

/** Throws an Error with a one-line, actionable message when Redis at `url` does not answer PING. */
export async function checkRedis(url, { timeoutMs = 2000 } = {}) {
  try {
    await redisPing(url, timeoutMs);
  } catch (err) {
    if (err.redisReply)
      throw new Error(`Redis at ${redactUrl(url)} answered with an error (${err.message}).`, { cause: err });
    throw new Error(
      `Redis is not reachable at ${redactUrl(url)} (${err.message}). ` +
        `Start it (e.g. \`${RESTART_HINTS.redis}\`) or set REDIS_URL.`,
      { cause: err },
    );
  }
}

/**
 * Starts a private redis-server on a free port in a temporary directory, waits for PING.
 * Returns { url, port, dir, stop() }. stop() is also registered as a cleanup.
 */
export async function startPrivateRedis({ label = 'redis', attempts = 3 } = {}) {
  if (!hasCommand('redis-server')) throw new Error('redis-server is not on the PATH');
  let lastErr;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ccc-${label}-`));
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      path.join(dir, 'redis.log'),
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => {
      output = (output + d).slice(-4000);
    });
    child.stderr.on('data', (d) => {
      output = (output + d).slice(-4000);
    });
    let exited = null;
    const exitPromise = new Promise((r) =>
      child.once('exit', (code, signal) => {
        exited = { code, signal };
        r(exited);
      }),
    );
    child.once('error', (err) => {
      exited = { code: -1, signal: null, err };
    });
    const url = `redis://127.0.0.1:${port}`;
    const stopNow = async () => {
      if (!exited) {
        try {
          process.kill(child.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        const killer = setTimeout(() => {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 3000);
        await exitPromise;
        clearTimeout(killer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    };
    const stop = onCleanup(stopNow, `stop ${label} redis-server on port ${port}`);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !exited) {
      try {
        await redisPing(url, 500);
        return { url, port, dir, pid: child.pid, stop };
      } catch {
        await sleep(100);
      }
    }
    lastErr = new Error(
      `private redis-server on port ${port} did not start` +
        (exited ? ` (exited with ${exited.code ?? exited.signal})` : ' within 10 s') +
        `: ${(tailFile(path.join(dir, 'redis.log'), 5) || output).trim().split('\n').pop() ?? ''}`,
    );
    await stop();
  }
  throw lastErr;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export const DEFAULT_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function pgAdminUrl() {
  return process.env.PG_ADMIN_URL || DEFAULT_PG_ADMIN_URL;
}

/** Same server and credentials as `url`, database replaced by `database`. */
export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Database name of a postgres URL. */
export function databaseName(url) {
  const u = new URL(url);
  return decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
}

export function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

/** Connects a pg.Client with a short connect timeout; caller must end() it. */
export async function pgConnect(url, { timeoutMs = 3000 } = {}) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {
    /* surfaced by the awaited calls */
  });
  try {
    await client.connect();
  } catch (err) {
    try {
      await client.end();
    } catch {
      /* ignore */
    }
    throw err;
  }
  return client;
}

function pgReason(err) {
  const msg = (err?.message || String(err)).split('\n')[0];
  return err?.code && !msg.includes(err.code) ? `${err.code}: ${msg}` : msg;
}

/** Throws an Error with a one-line, actionable message when PostgreSQL at `url` cannot run SELECT 1. */
export async function checkPostgres(url, { timeoutMs = 3000 } = {}) {
  let client;
  try {
    client = await pgConnect(url, { timeoutMs });
    await client.query('SELECT 1');
  } catch (err) {
    // SQLSTATE codes are 5 characters; anything else (ECONNREFUSED, timeouts, ...) means no server
    const answered = typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code);
    const e = new Error(
      answered
        ? `PostgreSQL at ${redactUrl(url)} refused the connection (${pgReason(err)}).`
        : `PostgreSQL is not reachable at ${redactUrl(url)} (${pgReason(err)}). ` +
            `Start it (e.g. \`${RESTART_HINTS.postgres}\`) or set the URL.`,
    );
    e.code = err?.code;
    throw e;
  } finally {
    if (client) await client.end().catch(() => {});
  }
}

/** Creates the database named in `url` when it does not exist (via the `postgres` db of the same server). */
export async function ensureDatabase(url, { adminDb = 'postgres' } = {}) {
  const name = databaseName(url);
  try {
    await checkPostgres(url);
    return { created: false, name };
  } catch (err) {
    if (err.code !== '3D000') throw err; // anything but "database does not exist"
  }
  const admin = await pgConnect(withDatabase(url, adminDb)).catch((err) => {
    throw new Error(
      `PostgreSQL: cannot connect to ${redactUrl(withDatabase(url, adminDb))} to create database ${name} (${pgReason(err)})`,
      {
        cause: err,
      },
    );
  });
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (err) {
    // 42P04: exists (a race with another run)
    if (err.code !== '42P04')
      throw new Error(`PostgreSQL: cannot create database ${name} (${pgReason(err)})`, { cause: err });
  } finally {
    await admin.end().catch(() => {});
  }
  return { created: true, name };
}

/** Drops a database, terminating its connections first. */
export async function dropDatabase(adminUrl, name) {
  const admin = await pgConnect(adminUrl);
  try {
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } catch (err) {
      if (err.code !== '42601') throw err; // syntax error: server older than 13, no FORCE
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    }
  } finally {
    await admin.end().catch(() => {});
  }
}

/**
 * Creates an empty database `<prefix>_<random>` on the server of `adminUrl` (PG_ADMIN_URL by default).
 * Returns { name, url, drop() }; drop() is also registered as a cleanup.
 */
export async function createTempDatabase({ adminUrl = pgAdminUrl(), prefix = 'ccc_test' } = {}) {
  const name = `${prefix}_${randomId(5)}`;
  const admin = await pgConnect(adminUrl);
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await admin.end().catch(() => {});
  }
  const drop = onCleanup(() => dropDatabase(adminUrl, name), `drop database ${name}`);
  return { name, url: withDatabase(adminUrl, name), drop };
}

// ---------------------------------------------------------------------------------------------
// Child processes

function linePrefixer(prefix, write) {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop();
      for (const line of parts) write(`${prefix}${line.replace(/\r$/, '')}\n`);
    },
    flush() {
      if (pending) write(`${prefix}${pending}\n`);
      pending = '';
    },
  };
}

/**
 * Spawns `cmd args` in its own process group.
 * Options: cwd, env (merged over process.env; a value of undefined removes the variable),
 *   prefix (e.g. '[jest] '; output streamed to our stdout/stderr, line by line, prefixed),
 *   logFile (output appended there, unprefixed), quiet (true: log file only), timeoutMs (kill after).
 * Returns { child, pid, exited: Promise<{code, signal, timedOut}>, stop(graceMs) }; stop() is registered
 * as a cleanup and kills the whole process group (TERM, then KILL after graceMs).
 */
export function spawnProcess(cmd, args = [], opts = {}) {
  const { cwd = repoRoot, prefix = '', logFile, quiet = false, timeoutMs, label = cmd } = opts;
  const env = { ...process.env };
  for (const [k, v] of Object.entries(opts.env || {})) {
    if (v === undefined || v === null) delete env[k];
    else env[k] = String(v);
  }
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let logStream = null;
  if (logFile) {
    ensureDir(path.dirname(logFile));
    logStream = fs.createWriteStream(logFile, { flags: 'a' });
  }
  const out = linePrefixer(prefix, (s) => {
    if (!quiet) process.stdout.write(s);
  });
  const err = linePrefixer(prefix, (s) => {
    if (!quiet) process.stderr.write(s);
  });
  child.stdout.on('data', (d) => {
    out.push(d);
    logStream?.write(d);
  });
  child.stderr.on('data', (d) => {
    err.push(d);
    logStream?.write(d);
  });

  let timedOut = false;
  let timer = null;
  let alive = true;
  const exited = new Promise((resolve) => {
    let settled = false;
    const finish = (code, signal) => {
      if (settled) return;
      settled = true;
      alive = false;
      if (timer) clearTimeout(timer);
      out.flush();
      err.flush();
      const result = { code, signal, timedOut };
      if (logStream) logStream.end(() => resolve(result));
      else resolve(result);
    };
    child.once('error', (e) => {
      const msg = `${prefix}failed to start ${cmd}: ${e.message}\n`;
      process.stderr.write(msg);
      logStream?.write(msg);
      finish(127, null);
    });
    child.once('close', (code, signal) => finish(code, signal));
  });

  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        /* gone */
      }
    }
  };
  const stopNow = async (graceMs = 10_000) => {
    if (!alive || child.pid === undefined) {
      // the leader is gone, but its group may live on (e.g. jest workers): sweep it
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* none */
        }
      }
      return exited;
    }
    killGroup('SIGTERM');
    const killer = setTimeout(() => killGroup('SIGKILL'), graceMs);
    const res = await exited;
    clearTimeout(killer);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* group empty */
    }
    return res;
  };
  const stop = onCleanup(() => stopNow(), `stop ${label}`);
  if (timeoutMs) {
    timer = setTimeout(() => {
      timedOut = true;
      const msg = `${prefix}timed out after ${Math.round(timeoutMs / 1000)} s: killing ${label}\n`;
      process.stderr.write(msg);
      logStream?.write(msg);
      stopNow(5000);
    }, timeoutMs);
  }
  // the registered cleanup covers interruption; once the child has exited, unregister it
  exited.then(() => stop());
  return {
    child,
    pid: child.pid,
    exited,
    stop: (graceMs) => stopNow(graceMs).finally(() => stop()),
    isAlive: () => alive,
  };
}

/** spawnProcess + await exit; resolves to { code, signal, timedOut, ok }. */
export async function runProcess(cmd, args, opts) {
  const p = spawnProcess(cmd, args, opts);
  const res = await p.exited;
  return { ...res, ok: res.code === 0 && !res.timedOut };
}

// ---------------------------------------------------------------------------------------------
// HTTP

/**
 * Polls `url` until it answers 200. Rejects after timeoutMs, or at once when `isAlive()` (optional)
 * returns false (e.g. the server process exited).
 */
export async function waitForHttp(url, { timeoutMs = 60_000, intervalMs = 500, isAlive } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (isAlive && !isAlive()) throw new Error(`the process serving ${url} exited before it was ready (${last})`);
    try {
      const res = await fetch(url, {
        signal: AbortSignal.timeout(Math.min(5000, Math.max(1000, deadline - Date.now()))),
      });
      await res.arrayBuffer().catch(() => {});
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err?.cause?.code || err?.name || err?.message || String(err);
    }
    await sleep(intervalMs);
  }
  throw new Error(`${url} did not answer 200 within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
}

/** Synchronous helper for small commands: returns trimmed stdout or null. */
export function capture(cmd, args = []) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
