#!/usr/bin/env node
// The service's dependency rules (apps/cache-service/.dependency-cruiser.cjs): no two folders of src/ may depend
// on each other, directly or round a loop, and database/entities.ts imports entity files only. Checked with
// dependency-cruiser over the TypeScript sources, so it needs no build.
//
//   node scripts/lib/dependency-rules.mjs     prints the violations (exit 1 if any)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const serviceDir = path.join(repoRoot, 'apps', 'cache-service');
const cli = path.join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/**
 * Runs the rules; returns {modules, violations: ["rule: from → … → to"]}, or {error} when the cruise itself
 * failed (missing package, bad configuration).
 */
export function dependencyViolations() {
  const run = spawnSync(
    process.execPath,
    [cli, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'src'],
    {
      cwd: serviceDir,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    return {
      error: (run.stderr || run.stdout || `dependency-cruiser exited with ${run.status}`)
        .trim()
        .split('\n')
        .slice(-5)
        .join(' '),
    };
  }
  const violations = report.summary.violations.map((v) => {
    const loop = v.cycle?.length ? [v.from, ...v.cycle.map((step) => step.name ?? step)] : [v.from, v.to];
    return `${v.rule.name}: ${loop.join(' → ')}`;
  });
  return { modules: report.summary.totalCruised, violations };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = dependencyViolations();
  if (result.error) {
    console.error(result.error);
    process.exit(2);
  }
  for (const v of result.violations) console.log(v);
  console.log(`${result.violations.length} violation(s) in ${result.modules} modules`);
  process.exit(result.violations.length ? 1 : 0);
}
