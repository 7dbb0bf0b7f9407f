import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SERVICE_DIR = resolve(__dirname, '..', '..');
const REDOCLY = join(SERVICE_DIR, '..', '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const OPENAPI_TYPESCRIPT = join(SERVICE_DIR, '..', '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js');

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
  const file = writeDocument(document, name);
  const run = spawnSync(
    process.execPath,
    [REDOCLY, 'lint', file, '--format=json', `--config=${join(SERVICE_DIR, 'redocly.yaml')}`],
    {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`redocly lint gave no JSON report (exit ${run.status}): ${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as {
    problems: { ruleId: string; severity: 'error' | 'warn'; message: string; location: { pointer: string }[] }[];
  };
  return report.problems.map((p) => ({
    ruleId: p.ruleId,
    severity: p.severity,
    message: p.message,
    pointer: p.location[0]?.pointer ?? '',
  }));
}

function writeDocument(document: unknown, name: string): string {
  const file = join(SERVICE_DIR, '.tmp', name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
}

/**
 * Lines of the TypeScript client types `openapi-typescript` generates from the document that leave a field
 * untyped: `unknown` or `Record<string, never>` (an object schema without properties). Not counted: the response
 * headers' index signature (`[name: string]: unknown`, openapi-typescript's default for undocumented headers) and
 * the empty top-level `webhooks` and `$defs` aliases.
 */
export function untypedClientFields(document: unknown, name = 'openapi-types.json'): string[] {
  const file = writeDocument(document, name);
  // Run beside the document, not in the service folder: there it would pick up redocly.yaml and fail on its findings,
  // which are the other test's business.
  const run = spawnSync(process.execPath, [OPENAPI_TYPESCRIPT, file], {
    cwd: dirname(file),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`openapi-typescript failed (exit ${run.status}): ${run.stderr}`);
  return run.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => !line.startsWith('*') && !line.startsWith('/*'))
    .filter((line) => /\bunknown\b|Record<string, never>/.test(line))
    .filter(
      (line) =>
        line !== '[name: string]: unknown;' && !/^export type (webhooks|\$defs) = Record<string, never>;$/.test(line),
    );
}
