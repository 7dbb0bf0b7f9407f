// The `containers` test stage: the Dockerfile and docker-compose.yml built and run for real, as a user would.
//   1. compose refuses to start without each secret, naming it; with them, the file resolves
//   2. base images present (pulled, or made locally under the same names: base-images.mjs)
//   3. the image builds from the Dockerfile: Node 24, non-root, no npm, no dev dependencies; size reported
//   4. `up` (role all) until healthy (time reported); read-only root filesystem, no capabilities;
//      sign in as the configured admin, warm a demo datasource, query it from the cache
//   5. SIGTERM stops the service within its grace period; after the restart the cache is still served
//   6. scale-out profile: the service in role api, warming in a separate worker container, each healthy by
//      its role's readiness; a warm asked of the api is done by the worker; a worker stopped mid-warm
//      exits within its grace period and the warm completes once a worker is back
//   7. `down -v` leaves nothing behind (also on failure and on Ctrl-C)
// docker-compose (Debian's 1.29) drives podman's Docker-compatible socket: podman-compose 1.0 has neither
// `config` nor profiles, and `depends_on: condition: service_healthy` needs the engine's health status.
import fs from 'node:fs';
import path from 'node:path';
import { ensureDir, freePort, onCleanup, randomId, randomSecret, repoRoot, sleep } from '../lib/infra.mjs';
import { ensureBaseImages } from './base-images.mjs';
import { driveHealthChecks, exec, missingCommands, podmanEnv, startApiService } from './podman.mjs';

const MIN = 60_000;
const SECRETS = ['JWT_SECRET', 'ADMIN_PASSWORD', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'];
const ADMIN_EMAIL = 'ops@example.com';
const STOP_GRACE_S = 30; // docker-compose.yml: stop_grace_period of the service containers

/** Runs the stage; returns { passed, failed, skipped, note } with one test per numbered check. */
export async function runContainersStage({ runDir, log }) {
  const checks = [];
  const check = (name, ok, detail = '') => {
    checks.push({ name, ok });
    log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` - ${detail}` : ''}`);
    return ok;
  };
  const figures = [];
  const summary = (extra) => {
    const failed = checks.filter((c) => !c.ok).length + (extra ? 1 : 0);
    return {
      passed: checks.length - checks.filter((c) => !c.ok).length,
      failed,
      skipped: 0,
      note: [...figures, extra].filter(Boolean).join('; '),
    };
  };

  const missing = missingCommands();
  if (missing.length) {
    return summary(
      `missing ${missing.map((m) => m.what).join(', ')}: apt-get install -y ${missing.map((m) => m.pkg).join(' ')} (.ci/run installs them)`,
    );
  }
  if (process.getuid?.() !== 0)
    return summary('needs root: podman runs rootful with runc on our machines (.ci/run runs as root)');

  const workDir = ensureDir(path.join(runDir, 'containers'));
  const logFile = path.join(workDir, 'containers.log');
  fs.writeFileSync(logFile, '');
  const env = podmanEnv(workDir);
  const project = `ccctest${process.pid}${randomId(2)}`;
  const image = `localhost/cache-command-center:${project}`;
  const hostPort = await freePort();
  const baseUrl = `http://127.0.0.1:${hostPort}`;
  const secrets = {
    JWT_SECRET: randomSecret(48),
    ADMIN_PASSWORD: `Ops-${randomSecret(18)}`,
    POSTGRES_PASSWORD: randomId(24),
    REDIS_PASSWORD: randomId(24),
  };
  const emptyEnvFile = path.join(workDir, 'empty.env'); // a developer's .env must not leak into the run
  fs.writeFileSync(emptyEnvFile, '');
  // Slower warms in the worker, so that a stop can land in the middle of one (a test-only override).
  const slowWorker = path.join(workDir, 'slow-worker.override.yml');
  fs.writeFileSync(slowWorker, 'services:\n  cache-worker:\n    environment:\n      WARM_BATCH_ENTRIES: "1"\n');

  const stackVars = { ...secrets, CCC_IMAGE: image, HOST_PORT: String(hostPort), ADMIN_EMAIL, DEMO_SCALE: '0.2' };
  let dockerHost = null;
  const compose = (args, { vars = stackVars, files = [], timeoutMs = 5 * MIN } = {}) =>
    exec(
      'docker-compose',
      [
        '--project-name',
        project,
        '--project-directory',
        repoRoot,
        '--env-file',
        emptyEnvFile,
        '--file',
        path.join(repoRoot, 'docker-compose.yml'),
        ...files.flatMap((f) => ['--file', f]),
        ...args,
      ],
      { cleanEnv: true, env: { ...env, ...(dockerHost ? { DOCKER_HOST: dockerHost } : {}), ...vars }, timeoutMs },
    );
  const podman = (args, timeoutMs = MIN) => exec('podman', args, { env, timeoutMs });
  const containerOf = async (service) =>
    (
      await podman([
        'ps',
        '-a',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--filter',
        `label=com.docker.compose.service=${service}`,
        '--format',
        '{{.ID}}',
      ])
    ).stdout
      .trim()
      .split('\n')[0] || null;
  const inspect = async (id, format) => (await podman(['inspect', '--format', format, id])).stdout.trim();
  const appendLog = (title, r) =>
    fs.appendFileSync(logFile, `\n==== ${title} (exit ${r.code})\n${r.stdout}${r.stderr}`);

  // ---- teardown, also on failure and on Ctrl-C
  let stopHealth = async () => {};
  let stopApi = async () => {};
  // compose's own `down`, then a sweep by label with podman itself: on Ctrl-C the API socket may already be gone
  const teardown = onCleanup(async () => {
    await stopHealth();
    if (dockerHost) {
      const down = await compose(
        ['--profile', 'scale-out', 'down', '--volumes', '--remove-orphans', '--timeout', '5'],
        { timeoutMs: 3 * MIN },
      );
      appendLog('down', down);
    }
    const label = `label=com.docker.compose.project=${project}`;
    const ids = (args) => podman(args).then((r) => r.stdout.split('\n').filter(Boolean));
    const leftByCompose = dockerHost
      ? [
          ...(await ids(['ps', '-a', '--filter', label, '--format', '{{.Names}}'])),
          ...(await ids(['volume', 'ls', '--filter', label, '--format', '{{.Name}}'])),
        ].join(' ')
      : null;
    const containers = await ids(['ps', '-aq', '--filter', label]);
    if (containers.length) await podman(['rm', '--force', '--time', '5', ...containers], 2 * MIN);
    const volumes = await ids(['volume', 'ls', '-q', '--filter', label]);
    if (volumes.length) await podman(['volume', 'rm', '--force', ...volumes]);
    const networks = await ids(['network', 'ls', '-q', '--filter', label]);
    if (networks.length) await podman(['network', 'rm', '--force', ...networks]);
    await stopApi();
    await podman(['rmi', '--force', image], 2 * MIN);
    return leftByCompose;
  }, `remove compose project ${project}`);

  const diagnostics = async () => {
    if (!dockerHost) return;
    const logs = await compose(['--profile', 'scale-out', 'logs', '--no-color', '--tail', '40'], { timeoutMs: MIN });
    appendLog('logs', logs);
    log(
      `---- last lines of every container (full log: ${path.relative(repoRoot, logFile)}) ----\n${(logs.stdout + logs.stderr).trim()}\n---- end ----`,
    );
  };

  // Each step records its checks; a step the rest depends on ends the scenario when it fails.
  const steps = async () => {
    // 1. secrets
    for (const name of SECRETS) {
      const r = await compose(['config', '--quiet'], { vars: { ...stackVars, [name]: undefined } });
      const out = `${r.stdout}${r.stderr}`;
      check(
        `compose refuses to start without ${name} and names it`,
        r.code !== 0 && out.includes(`set ${name}`),
        r.code === 0 ? 'config succeeded' : `"${out.trim().split('\n').pop().split(': ').pop()}"`,
      );
    }
    const resolved = await compose(['--profile', 'scale-out', 'config']);
    appendLog('config', resolved);
    const placeholder = /CHANGE-?ME/i.test(
      fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8') + resolved.stdout,
    );
    if (
      !check(
        'with every secret set the compose file resolves, without placeholders',
        resolved.code === 0 && !placeholder,
        resolved.code !== 0
          ? resolved.stderr.trim().split('\n').pop()
          : placeholder
            ? 'a CHANGE-ME placeholder is left'
            : '',
      )
    ) {
      return;
    }

    // 2. base images
    const composeImages = imagesOfServices(resolved.stdout, ['scale-out']).filter((name) => name !== image);
    const nodeImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'))?.[1];
    const started = Date.now();
    const bases = await ensureBaseImages([...new Set([nodeImage, ...composeImages].filter(Boolean))], {
      env,
      workDir,
      logFile,
      log,
    });
    check(
      'base images present',
      true,
      `${bases.map((b) => `${b.name}: ${b.source}`).join(', ')} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );

    // 3. the image
    const ca = [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find(
      (f) => f && fs.existsSync(f),
    );
    const buildStarted = Date.now();
    const build = await exec(
      'podman',
      [
        'build',
        '--isolation',
        'chroot',
        '--format',
        'docker',
        '--pull=never',
        ...(ca ? ['--secret', `id=extra_ca,src=${ca}`] : []),
        '-t',
        image,
        '-f',
        'Dockerfile',
        '.',
      ],
      { env, cwd: repoRoot, timeoutMs: 20 * MIN },
    );
    appendLog('build', build);
    const buildSeconds = (Date.now() - buildStarted) / 1000;
    if (
      !check(
        'the image builds from the Dockerfile',
        build.code === 0,
        build.code === 0
          ? `${buildSeconds.toFixed(0)} s`
          : `\n${(build.stdout + build.stderr).trim().split('\n').slice(-25).join('\n')}`,
      )
    )
      return;
    const sizeMb = Number(await inspect(image, '{{.Size}}')) / 1e6;
    figures.push(`image ${sizeMb.toFixed(0)} MB, built in ${buildSeconds.toFixed(0)} s`);
    log(`image ${image}: ${sizeMb.toFixed(0)} MB`);
    const probe = await podman(
      [
        'run',
        '--rm',
        '--ulimit',
        'host',
        '--no-healthcheck',
        image,
        'node',
        '-e',
        [
          'const fs=require("fs");',
          'const dev=["jest","typescript","vite","vitest","@nestjs/testing","@swc/core","nx","react"].filter(p=>fs.existsSync("node_modules/"+p));',
          'const pm=["/usr/local/bin/npm","/usr/local/bin/npx","/usr/local/bin/corepack"].filter(p=>fs.existsSync(p));',
          'console.log(JSON.stringify({node:process.version,uid:process.getuid(),dev,pm}))',
        ].join(''),
      ],
      2 * MIN,
    );
    let facts = {};
    try {
      facts = JSON.parse(probe.stdout.trim().split('\n').pop());
    } catch {
      /* reported below */
    }
    check(
      'the image runs Node 24 as a non-root user, without npm or dev dependencies',
      /^v24\./.test(facts.node ?? '') && facts.uid !== 0 && facts.dev?.length === 0 && facts.pm?.length === 0,
      probe.code === 0 ? JSON.stringify(facts) : probe.stderr.trim().split('\n').pop(),
    );

    // 4. the stack, role all
    const api = await startApiService({ env, logFile: path.join(workDir, 'podman-service.log') });
    dockerHost = api.dockerHost;
    stopApi = api.stop;
    stopHealth = driveHealthChecks({ env, project });
    const upStarted = Date.now();
    const up = await compose(['up', '--detach', '--no-build'], { timeoutMs: 10 * MIN });
    appendLog('up', up);
    if (
      !check(
        '`up` starts Redis, PostgreSQL and the service',
        up.code === 0,
        up.code === 0 ? '' : up.stderr.trim().split('\n').slice(-5).join(' | '),
      )
    ) {
      return;
    }
    const healthy = await waitHealthy(['cache-service'], { containerOf, inspect, timeoutMs: 4 * MIN });
    const upSeconds = (Date.now() - upStarted) / 1000;
    figures.push(`up to healthy ${upSeconds.toFixed(0)} s`);
    if (
      !check(
        'the service becomes healthy (role all)',
        healthy.ok,
        healthy.ok ? `${upSeconds.toFixed(1)} s from up` : healthy.why,
      )
    ) {
      return;
    }
    log(`up to healthy: ${upSeconds.toFixed(1)} s`);
    const serviceId = await containerOf('cache-service');
    const hardening = {
      readOnly: await inspect(serviceId, '{{.HostConfig.ReadonlyRootfs}}'),
      user: (await podman(['exec', serviceId, 'id', '-u'])).stdout.trim(),
      writeApp: (
        await podman(['exec', serviceId, 'sh', '-c', 'touch /app/x 2>/dev/null && echo wrote || echo refused'])
      ).stdout.trim(),
      capEff: (await podman(['exec', serviceId, 'sh', '-c', 'grep CapEff /proc/1/status | cut -f2'])).stdout.trim(),
    };
    check(
      'the service runs on a read-only root filesystem, as a non-root user, with no capabilities',
      hardening.readOnly === 'true' &&
        hardening.user !== '0' &&
        hardening.writeApp === 'refused' &&
        /^0+$/.test(hardening.capEff),
      JSON.stringify(hardening),
    );

    const http = client(baseUrl);
    const ready = await http.get('/health/ready');
    check(
      'readiness of role all names Redis, PostgreSQL and the warming workers',
      ready.status === 200 && ready.body?.checks?.workers?.status === 'up',
      JSON.stringify(ready.body),
    );
    const login = await http.post('/api/auth/login', { email: ADMIN_EMAIL, password: secrets.ADMIN_PASSWORD });
    if (
      !check(
        'sign-in with the configured admin',
        login.status === 200 && Boolean(login.body?.accessToken),
        `HTTP ${login.status}`,
      )
    )
      return;
    http.token = login.body.accessToken;
    const list = await http.get('/api/admin/datasources');
    const datasource =
      [...(list.body?.items ?? list.body ?? [])].find((d) => d.name === 'Revenue Analytics') ??
      (list.body?.items ?? list.body ?? [])[0];
    if (!check('the demo datasources are seeded', list.status === 200 && Boolean(datasource), `HTTP ${list.status}`))
      return;
    const warmed = await warmAndWait(http, datasource.id);
    if (!check(`warm ${datasource.name}`, warmed.ok, warmed.detail)) return;
    const query = await queryFromCache(http, datasource.id);
    check('a query is answered from the cache', query.ok, query.detail);

    // 5. SIGTERM and restart
    const stop = await timedStop(compose, 'cache-service', { containerOf, inspect });
    check(`SIGTERM stops the service within its ${STOP_GRACE_S} s grace period`, stop.ok, stop.detail);
    const start = await compose(['start', 'cache-service']);
    appendLog('start cache-service', start);
    const again = await waitHealthy(['cache-service'], { containerOf, inspect, timeoutMs: 3 * MIN });
    const after = again.ok ? await queryFromCache(http, datasource.id) : { ok: false, detail: again.why };
    check(
      'after a restart the same cache generation is served',
      after.ok && after.generation === query.generation,
      `${after.detail}; generation before ${query.generation}, after ${after.generation}`,
    );

    // 6. scale-out: api and worker in separate containers
    const scaleVars = { ...stackVars, SERVICE_ROLE: 'api' };
    const scaled = await compose(['--profile', 'scale-out', 'up', '--detach', '--no-build'], {
      vars: scaleVars,
      files: [slowWorker],
      timeoutMs: 10 * MIN,
    });
    appendLog('up scale-out', scaled);
    const both =
      scaled.code === 0
        ? await waitHealthy(['cache-service', 'cache-worker'], { containerOf, inspect, timeoutMs: 4 * MIN })
        : { ok: false, why: scaled.stderr.trim().split('\n').slice(-3).join(' | ') };
    const apiReady = both.ok ? await http.get('/health/ready') : {};
    const workerReady = both.ok ? await readinessInside(podman, await containerOf('cache-worker')) : {};
    if (
      !check(
        "scale-out: the api and worker containers are healthy, each by its role's readiness",
        both.ok &&
          apiReady.status === 200 &&
          !apiReady.body?.checks?.workers &&
          workerReady?.checks?.workers?.status === 'up',
        both.ok
          ? `api ${JSON.stringify(apiReady.body?.checks)}; worker ${JSON.stringify(workerReady?.checks)}`
          : both.why,
      )
    ) {
      return;
    }
    const byWorker = await warmAndWait(http, datasource.id);
    const workerLog = (await podman(['logs', await containerOf('cache-worker')])).stdout;
    check(
      'scale-out: a warm asked of the api is done by the worker',
      byWorker.ok && workerLog.includes(byWorker.jobId ?? '\0'),
      `${byWorker.detail}${byWorker.ok && !workerLog.includes(byWorker.jobId) ? '; the worker log does not name the job' : ''}`,
    );
    const drain = await stopMidWarm({ http, compose, datasource, containerOf, inspect, appendLog });
    check(
      'SIGTERM mid-warm: the worker exits within its grace period and the warm completes once a worker is back',
      drain.ok,
      drain.detail,
    );
  };

  let crashed = '';
  try {
    await steps();
  } catch (err) {
    crashed = `crashed: ${String(err?.message ?? err).split('\n')[0]}`;
    log(err?.stack ?? String(err));
  } finally {
    if (crashed || checks.some((c) => !c.ok)) await diagnostics().catch(() => {});
    const leftByCompose = await teardown();
    if (leftByCompose !== null)
      check('`down --volumes` removes every container and the volume of the stack', !leftByCompose, leftByCompose);
  }
  return summary(crashed);
}

// ---------------------------------------------------------------------------------------------

function client(baseUrl) {
  const c = {
    token: null,
    async request(method, url, body) {
      try {
        const res = await fetch(`${baseUrl}${url}`, {
          method,
          headers: { 'content-type': 'application/json', ...(c.token ? { authorization: `Bearer ${c.token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        let parsed = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        return { status: res.status, body: parsed };
      } catch (err) {
        return { status: 0, body: { error: err?.cause?.code ?? err.message } };
      }
    },
    get: (url) => c.request('GET', url),
    post: (url, body) => c.request('POST', url, body ?? {}),
  };
  return c;
}

/** Waits until every service's container reports healthy; gives up early on a container that keeps restarting. */
async function waitHealthy(services, { containerOf, inspect, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const states = [];
    for (const service of services) {
      const id = await containerOf(service);
      const [status, health, restarts] = id
        ? (await inspect(id, '{{.State.Status}} {{.State.Health.Status}} {{.RestartCount}}')).split(' ')
        : ['missing'];
      if (Number(restarts) >= 2)
        return { ok: false, why: `${service} restarted ${restarts} times (last state ${status})` };
      states.push(`${service} ${status}/${health ?? '-'}`);
    }
    last = states.join(', ');
    if (states.every((s) => s.endsWith('running/healthy'))) return { ok: true };
    await sleep(1000);
  }
  return { ok: false, why: `not healthy within ${timeoutMs / 1000} s: ${last}` };
}

async function readinessInside(podman, id) {
  const r = await podman([
    'exec',
    id,
    'node',
    '-e',
    "fetch('http://127.0.0.1:3000/health/ready').then(r=>r.text()).then(t=>console.log(t),e=>console.log(JSON.stringify({error:e.message})))",
  ]);
  try {
    return JSON.parse(r.stdout.trim());
  } catch {
    return { error: r.stderr.trim() };
  }
}

async function job(http, jobId) {
  return (await http.get(`/api/admin/analytics/cache/warming/jobs/${jobId}`)).body ?? {};
}

async function requestWarm(http, datasourceId) {
  const r = await http.post('/api/admin/analytics/cache/warm', { datasourceId, force: true });
  const jobId = r.body?.results?.[0]?.jobId ?? null;
  return {
    ok: r.status === 202 && Boolean(jobId),
    jobId,
    detail: `HTTP ${r.status} ${JSON.stringify(r.body?.results ?? r.body)}`,
  };
}

async function waitForJob(http, jobId, statuses, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = {};
  while (Date.now() < deadline) {
    last = await job(http, jobId);
    if (statuses.includes(last.status)) return last;
    if (['FAILED', 'CANCELLED'].includes(last.status)) return last;
    await sleep(100);
  }
  return last;
}

async function warmAndWait(http, datasourceId) {
  const req = await requestWarm(http, datasourceId);
  if (!req.ok) return req;
  const done = await waitForJob(http, req.jobId, ['COMPLETED'], 3 * MIN);
  return {
    ok: done.status === 'COMPLETED',
    jobId: req.jobId,
    detail: `job ${req.jobId} ${done.status ?? 'unknown'}, ${done.rowsProcessed ?? 0} rows, generation ${done.generation}${done.failureReason ? `: ${done.failureReason}` : ''}`,
  };
}

async function queryFromCache(http, datasourceId) {
  const details = await http.get(`/api/admin/analytics/cache/datasources/${datasourceId}`);
  const pick = details.body?.entriesByMeasureFrequency?.[0];
  if (!pick) return { ok: false, detail: `no cached entries listed (HTTP ${details.status})` };
  const q = await http.get(
    `/api/analytics/datasources/${datasourceId}/query?measure=${encodeURIComponent(pick.measure)}&frequency=${encodeURIComponent(pick.frequency)}`,
  );
  const entries = q.body?.entries?.length ?? 0;
  return {
    ok: q.status === 200 && q.body?.source === 'cache' && entries > 0,
    generation: q.body?.generation ?? null,
    detail: `HTTP ${q.status}, source ${q.body?.source}, ${entries} entries for ${pick.measure}/${pick.frequency}`,
  };
}

/**
 * The images of the services this scenario can start: those without profiles and those of `profiles`. A service
 * only in another profile (`monitoring`: Prometheus, started by operators, not here) needs no base image.
 * `config` output lists every service, profiles or not: 2-space service names, 4-space keys, `- ` list items.
 */
function imagesOfServices(resolvedYaml, profiles) {
  const services = /^services:\n((?:[ ].*\n)*)/m.exec(resolvedYaml)?.[1] ?? '';
  return services
    .split(/^ {2}(?=\S)/m)
    .filter(Boolean)
    .flatMap((block) => {
      const listed = /^ {4}profiles:\n((?: {4}- .*\n)+)/m
        .exec(block)?.[1]
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/^ {4}- /, '').trim());
      if (listed && !listed.some((profile) => profiles.includes(profile))) return [];
      return [...block.matchAll(/^ {4}image: (\S+)$/gm)].map((m) => m[1]);
    });
}

/** `docker-compose stop` of one service: how long it took and how the container ended (137 = killed at the deadline). */
async function timedStop(compose, service, { containerOf, inspect }) {
  const id = await containerOf(service);
  const started = Date.now();
  const r = await compose(['stop', '--timeout', String(STOP_GRACE_S), service], { timeoutMs: 2 * MIN });
  const seconds = (Date.now() - started) / 1000;
  const exitCode = Number(await inspect(id, '{{.State.ExitCode}}'));
  return {
    ok: r.code === 0 && seconds < STOP_GRACE_S && exitCode !== 137,
    seconds,
    detail: `stopped in ${seconds.toFixed(1)} s, exit code ${exitCode}`,
  };
}

/** Pauses a running warm (so the stop surely lands mid-warm), stops the worker, starts it, resumes, waits for completion. */
async function stopMidWarm({ http, compose, datasource, containerOf, inspect, appendLog }) {
  let req;
  let running;
  for (let attempt = 0; attempt < 2 && running?.status !== 'RUNNING'; attempt += 1) {
    req = await requestWarm(http, datasource.id);
    if (!req.ok) return req;
    running = await waitForJob(http, req.jobId, ['RUNNING', 'COMPLETED'], MIN);
  }
  if (running?.status !== 'RUNNING')
    return { ok: false, detail: `the warm never ran long enough to be stopped (${running?.status})` };
  const pause = await http.post(`/api/admin/analytics/cache/warming/jobs/${req.jobId}/pause`);
  const paused = await waitForJob(http, req.jobId, ['PAUSED'], MIN);
  const stop = await timedStop(compose, 'cache-worker', { containerOf, inspect });
  const atStop = await job(http, req.jobId);
  const start = await compose(['start', 'cache-worker']);
  appendLog('start cache-worker', start);
  const repaused = await waitForJob(http, req.jobId, ['PAUSED'], 2 * MIN);
  await http.post(`/api/admin/analytics/cache/warming/jobs/${req.jobId}/resume`);
  const done = await waitForJob(http, req.jobId, ['COMPLETED'], 3 * MIN);
  return {
    ok: stop.ok && paused.status === 'PAUSED' && done.status === 'COMPLETED',
    detail:
      `pause HTTP ${pause.status} -> ${paused.status} at ${paused.progress ?? '?'} %; worker ${stop.detail}; job ${atStop.status} meanwhile, ` +
      `${repaused.status} again after the restart, then ${done.status} (${done.rowsProcessed ?? 0} rows)`,
  };
}
