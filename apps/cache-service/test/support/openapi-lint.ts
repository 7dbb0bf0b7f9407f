import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SERVICE_DIR = resolve(__dirname, '..', '..');
const REDOCLY = join(SERVICE_DIR, '..', '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

export interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  /** Where in the document, e.g. `#/paths/~1api~1users/get/summary`. */
  pointer: string;
}

/**
 * Writes the live document to .tmp/ and lints it with `@redocly/cli` (the tool our users run) under the
 * repository's redocly.yaml (recommended ruleset and its justified overrides). Spawned, not imported: the CLI
 * is ESM and jest runs CommonJS.
 */
export function redoclyLint(document: unknown, name = 'openapi.json'): LintProblem[] {
  const file = join(SERVICE_DIR, '.tmp', name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(document, null, 2));
  const run = spawnSync(process.execPath, [REDOCLY, 'lint', file, '--format=json', `--config=${join(SERVICE_DIR, 'redocly.yaml')}`], {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`redocly lint gave no JSON report (exit ${run.status}): ${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as { problems: { ruleId: string; severity: 'error' | 'warn'; message: string; location: { pointer: string }[] }[] };
  return report.problems.map((p) => ({ ruleId: p.ruleId, severity: p.severity, message: p.message, pointer: p.location[0]?.pointer ?? '' }));
}
