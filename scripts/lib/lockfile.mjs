#!/usr/bin/env node
// The lockfile must list every platform's optional packages (e.g. @nx/nx-darwin-arm64), or `npm ci` on
// another platform - and, since npm 11, on ours too - refuses it ("Missing: ... from lock file").
//
// Why entries go missing: npm (11.x) repairs missing edges of a lockfile only for nodes it reaches from the
// root without crossing a workspace link; a package used only inside a workspace (jest's unrs-resolver,
// bullmq's msgpackr-extract) keeps whatever platforms the lockfile's first author had.
//
//   node scripts/lib/lockfile.mjs          lists such gaps (exit 1 if any)
//   node scripts/lib/lockfile.mjs --fix    lets npm fill them: the packages with gaps are named, at their
//                                          locked versions, as root optionalDependencies for one
//                                          `npm install --package-lock-only` (so npm resolves their optional
//                                          dependencies from the registry), then package.json is restored and
//                                          npm re-derives the lockfile without them. No version changes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Location of the package that contains `location` ('' for the root). */
const parentOf = (location) => {
  const cut = location.lastIndexOf('/node_modules/');
  return cut >= 0 ? location.slice(0, cut) : '';
};

/** Where Node would find `name` from the package at `location` (lockfile keys: node_modules/a/node_modules/b). */
function resolveFrom(packages, location, name) {
  for (let dir = location; ; dir = parentOf(dir)) {
    if (packages[dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`]) return true;
    if (!dir) return false;
  }
}

/** [{ location, name, version, missing: [names] }] for every locked package whose optional dependencies are not all locked. */
export function lockfileGaps(lockPath = path.join(repoRoot, 'package-lock.json')) {
  const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
  const packages = lock.packages ?? {};
  const gaps = [];
  for (const [location, pkg] of Object.entries(packages)) {
    if (!location || pkg.link) continue;
    const missing = Object.keys(pkg.optionalDependencies ?? {}).filter((dep) => !resolveFrom(packages, location, dep));
    if (missing.length)
      gaps.push({
        location,
        name: pkg.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length),
        version: pkg.version,
        missing,
      });
  }
  return gaps;
}

function npm(args) {
  const res = spawnSync('npm', args, { cwd: repoRoot, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${res.status}`);
}

export function fixLockfile() {
  const gaps = lockfileGaps();
  if (!gaps.length) return [];
  const manifestPath = path.join(repoRoot, 'package.json');
  const original = fs.readFileSync(manifestPath, 'utf8');
  const manifest = JSON.parse(original);
  manifest.optionalDependencies = { ...manifest.optionalDependencies };
  for (const gap of gaps) manifest.optionalDependencies[gap.name] = gap.version;
  try {
    fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    npm(['install', '--package-lock-only', '--no-audit', '--no-fund']);
  } finally {
    fs.writeFileSync(manifestPath, original);
  }
  npm(['install', '--package-lock-only', '--no-audit', '--no-fund']);
  return gaps;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const fix = process.argv.includes('--fix');
  const gaps = fix ? fixLockfile() : lockfileGaps();
  const left = fix ? lockfileGaps() : gaps;
  for (const gap of gaps)
    console.log(`${fix ? 'filled' : 'missing'}: ${gap.name}@${gap.version} -> ${gap.missing.join(', ')}`);
  if (left.length) {
    console.error(
      `${left.length} package(s) still lack optional dependencies in package-lock.json${fix ? '' : ' (run node scripts/lib/lockfile.mjs --fix)'}`,
    );
    process.exit(1);
  }
  console.log('package-lock.json lists every optional dependency of every locked package');
}
