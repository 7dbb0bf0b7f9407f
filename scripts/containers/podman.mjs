// Podman as the container engine of the `containers` test stage (our machines have no Docker engine):
//   * a containers.conf that works on our VMs (runc, no default ulimits: the VMs lack CAP_SYS_RESOURCE),
//   * `podman system service`: the Docker-compatible API socket that docker-compose talks to,
//   * a health-check driver: podman schedules HEALTHCHECKs with systemd timers, which these machines do not
//     run, so without it every container would stay "starting" and `depends_on: service_healthy` would wait
//     for ever. It runs the checks the compose file defines; it decides nothing itself.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ensureDir, hasCommand, sleep, spawnProcess } from '../lib/infra.mjs';

const CONTAINERS_CONF = `# written by scripts/containers/podman.mjs for the containers test stage
[containers]
# no RLIMIT_NPROC/NOFILE defaults: setting them needs CAP_SYS_RESOURCE, which our VMs do not grant
default_ulimits = []

[engine]
# crun fails on the hybrid cgroup layout of our VMs' kernel; runc works
runtime = "runc"

[network]
network_backend = "netavark"
`;

/** What the stage needs, with the Debian package that provides it (.ci/run installs them). */
const REQUIRED = [
  { what: 'podman', pkg: 'podman' },
  { what: 'runc', pkg: 'runc' },
  { what: 'docker-compose', pkg: 'docker-compose' },
  { what: 'catatonit', pkg: 'catatonit' }, // `init: true`
  { what: '/usr/lib/podman/netavark', pkg: 'netavark' },
  { what: '/usr/lib/podman/aardvark-dns', pkg: 'aardvark-dns' }, // service names resolve on compose networks
  { what: '/usr/sbin/iptables', pkg: 'iptables' }, // netavark's firewall rules
];

/** [{ what, pkg }] of what is missing. debootstrap is checked only when a base image has to be made. */
export function missingCommands() {
  return REQUIRED.filter(({ what }) => (what.startsWith('/') ? !fs.existsSync(what) : !hasCommand(what)));
}

/** Environment for every podman / docker-compose call of the stage. */
export function podmanEnv(workDir) {
  const conf = path.join(ensureDir(workDir), 'containers.conf');
  fs.writeFileSync(conf, CONTAINERS_CONF);
  return {
    CONTAINERS_CONF: conf,
    // RUN steps of builds made through the API socket need chroot isolation for the same rlimit reason
    BUILDAH_ISOLATION: 'chroot',
    PATH: `${process.env.PATH}:/usr/sbin:/sbin`,
  };
}

/**
 * Runs a command to completion and captures its output: { code, stdout, stderr, timedOut }.
 * `env` is merged over ours (undefined removes a variable); with `cleanEnv`, only PATH and HOME are
 * inherited, so that nothing of the caller's shell (a JWT_SECRET, a SERVICE_ROLE) leaks into the run.
 * Killed (whole process group) after timeoutMs.
 */
export function exec(cmd, args, { env = {}, cleanEnv = false, timeoutMs = 120_000, input, cwd } = {}) {
  const base = cleanEnv ? { PATH: process.env.PATH, HOME: process.env.HOME } : process.env;
  const merged = { ...base, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: merged, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${err.message}`, timedOut });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, timedOut });
    });
    child.stdin.end(input ?? '');
  });
}

function ping(socketPath) {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * Starts `podman system service` on a private socket. Returns { dockerHost, stop() } (stop is also a
 * registered cleanup). The socket lives under the system temp directory: unix socket paths are limited to
 * 108 bytes and a CI checkout path can be long.
 */
export async function startApiService({ env, logFile }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-podman-'));
  const socket = path.join(dir, 'podman.sock');
  const svc = spawnProcess('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env,
    logFile,
    quiet: true,
    label: 'podman system service',
  });
  const stop = async () => {
    await svc.stop(5000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (!svc.isAlive()) break;
    if (await ping(socket)) return { dockerHost: `unix://${socket}`, stop };
    await sleep(200);
  }
  await stop();
  throw new Error(`podman system service did not answer on ${socket} (see ${logFile})`);
}

/**
 * Runs the health checks of a compose project's containers every `intervalMs` (see the header).
 * Returns an async stop function.
 */
export function driveHealthChecks({ env, project, intervalMs = 2000 }) {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const ps = await exec(
        'podman',
        ['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.ID}} {{.Status}}'],
        { env, timeoutMs: 15_000 },
      );
      const ids = ps.stdout
        .split('\n')
        .filter((line) => /\((starting|healthy|unhealthy)\)/.test(line))
        .map((line) => line.split(' ')[0]);
      await Promise.all(ids.map((id) => exec('podman', ['healthcheck', 'run', id], { env, timeoutMs: 30_000 })));
      for (let waited = 0; waited < intervalMs && !stopped; waited += 250) await sleep(250);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}
