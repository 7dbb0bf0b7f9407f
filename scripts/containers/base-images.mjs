// The base images that the Dockerfile and docker-compose.yml name. Where a registry answers they are pulled.
// Where none does (our machines cannot reach Docker Hub), a stand-in is made locally under the very same name,
// from Debian bookworm (debootstrap) and Debian's own packages, so that the Dockerfile and the compose file run
// unchanged here and wherever the real images can be pulled. A stand-in only exists for an image whose
// contents Debian bookworm really provides (Node 24 comes from the npm registry's `node-linux-*` package,
// Redis 7.0 and PostgreSQL 15 from Debian); another name fails with a message instead of being faked.
//
// Made images stay in podman's storage between runs; a stand-in is rebuilt only when its recipe changes
// (label `ccc.stand-in.recipe`). From nothing: debootstrap about 50 s, each stand-in 10-60 s.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDir, hasCommand, spawnProcess, tailFile } from '../lib/infra.mjs';
import { exec } from './podman.mjs';

const recipesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stand-ins');
const DEBIAN_BASE = 'localhost/ccc-debian:bookworm-slim';
const RECIPE_LABEL = 'ccc.stand-in.recipe';
const DEBIAN_MIRROR = process.env.DEBIAN_MIRROR || 'http://deb.debian.org/debian';
const DEBIAN_SECURITY_MIRROR = process.env.DEBIAN_SECURITY_MIRROR || 'http://deb.debian.org/debian-security';
const NODE_MAJOR = 24;

// Like Debian's official slim images: no docs, man pages or translations, now or from later installs.
const SLIM_DPKG = `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
`;
// ... and no package caches left in a layer after `apt-get install` (as Debian's docker-clean does).
const SLIM_APT = `APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };
`;
const SOURCES = `deb ${DEBIAN_MIRROR} bookworm main
deb ${DEBIAN_MIRROR} bookworm-updates main
deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main
`;

export const STAND_INS = {
  'docker.io/library/node:24-bookworm-slim': { recipe: 'node.Containerfile', prepare: prepareNode },
  'docker.io/library/redis:7-bookworm': { recipe: 'redis.Containerfile' },
  'docker.io/library/postgres:15-bookworm': { recipe: 'postgres.Containerfile', files: ['postgres-entrypoint.sh'] },
};

function recipeHash(parts) {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex').slice(0, 16);
}

function standInHash(name) {
  const s = STAND_INS[name];
  const files = [s.recipe, ...(s.files ?? [])].map((f) => fs.readFileSync(path.join(recipesDir, f), 'utf8'));
  return recipeHash([name, String(NODE_MAJOR), debianHash(), ...files]);
}

const debianHash = () => recipeHash([SLIM_DPKG, SLIM_APT, SOURCES, 'bookworm minbase']);

async function imageLabel(name, env) {
  const r = await exec('podman', ['image', 'inspect', '--format', `{{index .Labels "${RECIPE_LABEL}"}}`, name], {
    env,
    timeoutMs: 30_000,
  });
  if (r.code !== 0) return null; // not present
  return r.stdout.trim().replace(/^<no value>$/, '');
}

/** Runs a long step with its output in `logFile`; throws with the log's tail when it fails. */
async function step(label, cmd, args, { env, logFile, timeoutMs, cwd }) {
  fs.appendFileSync(logFile, `\n$ ${cmd} ${args.join(' ')}\n`);
  const res = await spawnProcess(cmd, args, { env, cwd, logFile, quiet: true, timeoutMs, label }).exited;
  if (res.code !== 0 || res.timedOut) {
    throw new Error(
      `${label} failed (${res.timedOut ? 'timed out' : `exit ${res.code ?? res.signal}`}):\n${tailFile(logFile, 25)}`,
    );
  }
}

async function makeDebianBase({ env, logFile, log }) {
  if (process.getuid?.() !== 0)
    throw new Error('making the Debian base image needs root (debootstrap); run the stage as root or pull the images');
  if (!hasCommand('debootstrap'))
    throw new Error(
      'the base images cannot be pulled and debootstrap is missing to make them: apt-get install -y debootstrap',
    );
  const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-rootfs-'));
  const previous = await imageId(DEBIAN_BASE, env);
  try {
    log(`debootstrap bookworm (minbase) from ${DEBIAN_MIRROR} ...`);
    await step('debootstrap', 'debootstrap', ['--variant=minbase', 'bookworm', rootfs, DEBIAN_MIRROR], {
      env,
      logFile,
      timeoutMs: 10 * 60_000,
    });
    fs.writeFileSync(path.join(rootfs, 'etc/dpkg/dpkg.cfg.d/slim'), SLIM_DPKG);
    fs.writeFileSync(path.join(rootfs, 'etc/apt/sources.list'), SOURCES);
    fs.writeFileSync(path.join(rootfs, 'etc/apt/apt.conf.d/slim'), SLIM_APT);
    for (const dir of [
      'var/cache/apt/archives',
      'var/lib/apt/lists',
      'usr/share/doc',
      'usr/share/man',
      'usr/share/info',
      'usr/share/locale',
    ]) {
      const full = path.join(rootfs, dir);
      for (const entry of fs.existsSync(full) ? fs.readdirSync(full) : []) {
        if (entry === 'partial' || entry === 'locale.alias') continue;
        fs.rmSync(path.join(full, entry), { recursive: true, force: true });
      }
    }
    const changes = ['CMD ["bash"]', `LABEL ${RECIPE_LABEL}=${debianHash()}`];
    await step(
      'podman import',
      'bash',
      [
        '-o',
        'pipefail',
        '-c',
        `tar -C "$0" -c . | podman import ${changes.map((c) => `--change '${c}'`).join(' ')} - ${DEBIAN_BASE}`,
        rootfs,
      ],
      { env, logFile, timeoutMs: 5 * 60_000 },
    );
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
  await dropReplaced(previous, DEBIAN_BASE, env);
}

/** Node 24's Linux binary from the npm registry's `node-linux-<arch>` package, and npm 11 beside it. */
async function prepareNode(ctx, { env, logFile }) {
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!arch) throw new Error(`no Node binary package for ${process.arch}`);
  const view = await exec('npm', ['view', `node-linux-${arch}@${NODE_MAJOR}`, 'version', '--json'], {
    env,
    timeoutMs: 60_000,
  });
  if (view.code !== 0)
    throw new Error(`npm view node-linux-${arch}@${NODE_MAJOR} failed: ${view.stderr.trim().split('\n').pop()}`);
  const versions = [].concat(JSON.parse(view.stdout));
  const version = versions[versions.length - 1];
  for (const spec of [`node-linux-${arch}@${version}`, 'npm@11']) {
    await step(`npm pack ${spec}`, 'npm', ['pack', spec, '--pack-destination', ctx, '--silent'], {
      env,
      logFile,
      timeoutMs: 5 * 60_000,
    });
  }
  const tgz = (prefix) =>
    path.join(
      ctx,
      fs.readdirSync(ctx).find((f) => f.startsWith(prefix) && f.endsWith('.tgz')),
    );
  ensureDir(path.join(ctx, 'npm'));
  await step(
    'unpack node',
    'tar',
    ['-xzf', tgz(`node-linux-${arch}-`), '-C', ctx, '--strip-components=2', 'package/bin/node'],
    { env, logFile, timeoutMs: 60_000 },
  );
  await step('unpack npm', 'tar', ['-xzf', tgz('npm-'), '-C', path.join(ctx, 'npm'), '--strip-components=1'], {
    env,
    logFile,
    timeoutMs: 60_000,
  });
  return ['--build-arg', `NODE_VERSION=${version}`];
}

async function makeStandIn(name, { env, workDir, logFile, log }) {
  const s = STAND_INS[name];
  if ((await imageLabel(DEBIAN_BASE, env)) !== debianHash()) await makeDebianBase({ env, logFile, log });
  const ctx = path.join(workDir, 'stand-ins', name.replace(/[^a-z0-9.-]+/gi, '_'));
  fs.rmSync(ctx, { recursive: true, force: true });
  ensureDir(ctx);
  for (const f of [s.recipe, ...(s.files ?? [])]) fs.copyFileSync(path.join(recipesDir, f), path.join(ctx, f));
  const extra = s.prepare ? await s.prepare(ctx, { env, logFile }) : [];
  log(`making ${name} locally (recipe scripts/containers/stand-ins/${s.recipe}) ...`);
  const previous = await imageId(name, env);
  await step(
    `podman build ${name}`,
    'podman',
    [
      'build',
      '--isolation',
      'chroot',
      '--format',
      'docker',
      '--pull=never',
      '--label',
      `${RECIPE_LABEL}=${standInHash(name)}`,
      ...extra,
      '-t',
      name,
      '-f',
      s.recipe,
      '.',
    ],
    { env, cwd: ctx, logFile, timeoutMs: 15 * 60_000 },
  );
  fs.rmSync(ctx, { recursive: true, force: true });
  await dropReplaced(previous, name, env);
}

async function imageId(name, env) {
  const r = await exec('podman', ['image', 'inspect', '--format', '{{.Id}}', name], { env, timeoutMs: 30_000 });
  return r.code === 0 ? r.stdout.trim() : null;
}

/** A remade image leaves its predecessor untagged: remove it (it fails harmlessly while a container uses it). */
async function dropReplaced(previous, name, env) {
  if (previous && previous !== (await imageId(name, env)))
    await exec('podman', ['rmi', previous], { env, timeoutMs: 60_000 });
}

/**
 * Makes sure every image in `names` is present: kept from an earlier run, pulled, or made locally.
 * Returns [{ name, source: 'present' | 'pulled' | 'stand-in (cached)' | 'stand-in (made)', seconds }].
 */
export async function ensureBaseImages(names, { env, workDir, logFile, log, pull = true }) {
  const out = [];
  for (const name of names) {
    const started = Date.now();
    const label = await imageLabel(name, env);
    let source;
    if (label !== null && (!STAND_INS[name] || label === '' || label === standInHash(name))) {
      source = label ? 'stand-in (cached)' : 'present';
    } else if (
      label === null &&
      pull &&
      (await exec('podman', ['pull', '--quiet', name], { env, timeoutMs: 10 * 60_000 })).code === 0
    ) {
      source = 'pulled';
    } else {
      if (!STAND_INS[name]) {
        throw new Error(
          `${name} cannot be pulled and there is no local recipe for it (scripts/containers/stand-ins): ` +
            `use one of ${Object.keys(STAND_INS).join(', ')} or make the registry reachable`,
        );
      }
      await makeStandIn(name, { env, workDir, logFile, log });
      source = 'stand-in (made)';
    }
    out.push({ name, source, seconds: (Date.now() - started) / 1000 });
  }
  return out;
}
