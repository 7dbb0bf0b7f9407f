// Turns the JSON reports of Jest, Vitest and Playwright into { passed, failed, skipped, note } and
// formats the closing line our CI reads: `N passed, N failed` (`, N skipped` only when > 0).
import fs from 'node:fs';

function readJson(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { error: `no JSON report at ${file}` };
  }
  try {
    return { data: JSON.parse(text) };
  } catch (err) {
    return { error: `unreadable JSON report at ${file} (${err.message})` };
  }
}

const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

// CI keeps only the tail of a run's output: the summary lists each failed test with the first lines of its error, so a
// red run names its cause without the scrollback.
const errorHead = (text) =>
  String(text ?? '')
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '') // colour codes
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 3) // e.g. the matcher, then what was expected and what was received
    .join(' | ')
    .slice(0, 300);

function jestFailures(data, root) {
  const out = [];
  for (const file of Array.isArray(data.testResults) ? data.testResults : []) {
    const where = String(file.name ?? file.testFilePath ?? '').replace(`${root}/`, '');
    const failedTests = (file.assertionResults || []).filter((a) => a?.status === 'failed');
    for (const a of failedTests) out.push(`${where} › ${a.fullName ?? a.title}: ${errorHead(a.failureMessages?.[0])}`);
    if (file.status === 'failed' && failedTests.length === 0) out.push(`${where}: ${errorHead(file.message)}`);
  }
  return out;
}

/** Tests of a Playwright report with the given outcome ('unexpected': failed; 'flaky': failed, then passed on retry). */
function playwrightTests(data, root, outcome) {
  const out = [];
  const visit = (suite, titles) => {
    const here = suite.title && !suite.title.endsWith('.ts') ? [...titles, suite.title] : titles;
    for (const spec of suite.specs || []) {
      for (const t of (spec.tests || []).filter((test) => test.status === outcome)) {
        const result = (t.results || []).find((r) => r.status !== 'passed' && r.status !== 'skipped');
        const where = `${String(spec.file ?? suite.file ?? '').replace(`${root}/`, '')}:${spec.line ?? '?'}`;
        out.push(
          `${where} › ${[...here, spec.title].join(' › ')}: ${errorHead(result?.error?.message ?? result?.status)}`,
        );
      }
    }
    for (const child of suite.suites || []) visit(child, here);
  };
  for (const suite of Array.isArray(data.suites) ? data.suites : []) visit(suite, []);
  return out;
}

/**
 * Jest `--json` and Vitest `--reporter=json` share the field names numPassedTests, numFailedTests,
 * numPendingTests (+ numTodoTests). Test files that fail outside any test (syntax error, failing import,
 * a throwing hook) are not counted in numFailedTests: each such file (testResults[] with status
 * 'failed' and no failed assertion) counts as one failure; and a non-zero exit with no failure counted
 * counts as one.
 */
export function parseJestLike(file, { exitCode = 0, runner = 'jest' } = {}) {
  const { data, error } = readJson(file);
  if (error) return { passed: 0, failed: 1, skipped: 0, note: `${error} (exit ${exitCode})`, crashed: true };
  const passed = num(data.numPassedTests);
  let failed = num(data.numFailedTests);
  const skipped = num(data.numPendingTests) + num(data.numTodoTests);
  const notes = [];
  // files that failed without a failing test: failed to compile/import, or a hook outside any test threw
  const brokenFiles = Array.isArray(data.testResults)
    ? data.testResults.filter(
        (f) => f?.status === 'failed' && !(f.assertionResults || []).some((a) => a?.status === 'failed'),
      ).length
    : 0;
  const runtimeErrors = Math.max(brokenFiles, num(data.numRuntimeErrorTestSuites));
  if (runtimeErrors > 0) {
    failed += runtimeErrors;
    notes.push(`${runtimeErrors} test file(s) failed outside any test`);
  }
  if (failed === 0 && (exitCode !== 0 || data.success === false)) {
    const suites = num(data.numFailedTestSuites);
    failed = Math.max(1, suites);
    notes.push(
      `${runner} exited ${exitCode}${suites ? ` with ${suites} failed suite(s)` : ''} although no test failed`,
    );
  }
  if (passed + failed + skipped === 0) {
    failed = 1;
    notes.push('no tests ran');
  }
  return { passed, failed, skipped, note: notes.join('; '), failures: jestFailures(data, process.cwd()) };
}

/** Playwright JSON reporter: stats.expected / unexpected / skipped / flaky (flaky counts as passed). */
export function parsePlaywright(file, { exitCode = 0 } = {}) {
  const { data, error } = readJson(file);
  if (error) return { passed: 0, failed: 1, skipped: 0, note: `${error} (exit ${exitCode})`, crashed: true };
  const stats = data.stats || {};
  const passed = num(stats.expected) + num(stats.flaky);
  let failed = num(stats.unexpected);
  const skipped = num(stats.skipped);
  const notes = [];
  if (num(stats.flaky)) notes.push(`${num(stats.flaky)} flaky`);
  // errors outside tests (a spec file that fails to load, a global setup that throws)
  const globalErrors = Array.isArray(data.errors) ? data.errors.length : 0;
  if (globalErrors > 0) {
    failed += globalErrors;
    notes.push(
      `${globalErrors} error(s) outside tests, first: ${String(data.errors[0]?.message ?? '')
        .split('\n')[0]
        .slice(0, 160)}`,
    );
  }
  if (failed === 0 && exitCode !== 0) {
    failed = 1;
    notes.push(`playwright exited ${exitCode} although no test failed`);
  }
  if (passed + failed + skipped === 0) {
    failed = 1;
    notes.push('no tests ran');
  }
  const failures = [
    ...playwrightTests(data, process.cwd(), 'unexpected'),
    // Passed on the retry CI allows, so counted as passed; listed so that a flaky test is seen and fixed.
    ...playwrightTests(data, process.cwd(), 'flaky').map((line) => `flaky, passed on retry: ${line}`),
    ...(Array.isArray(data.errors) ? data.errors.map((e) => `outside tests: ${errorHead(e?.message)}`) : []),
  ];
  return { passed, failed, skipped, note: notes.join('; '), failures };
}

/** Failed (and flaky) tests of every stage, `[stage] file › test: the head of its error`, at most `limit` lines. */
export function failureLines(stages, limit = 20) {
  const all = stages.flatMap((s) => (s.failures || []).map((f) => `[${s.name}] ${f}`));
  return all.length > limit ? [...all.slice(0, limit), `… and ${all.length - limit} more`] : all;
}

/** The closing line: `N passed, N failed` plus `, N skipped` when > 0. */
export function summaryLine(stages) {
  const t = totals(stages);
  return `${t.passed} passed, ${t.failed} failed${t.skipped > 0 ? `, ${t.skipped} skipped` : ''}`;
}

export function totals(stages) {
  return stages.reduce(
    (acc, s) => ({
      passed: acc.passed + (s.passed || 0),
      failed: acc.failed + (s.failed || 0),
      skipped: acc.skipped + (s.skipped || 0),
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
}

/** A fixed-width per-stage table (array of lines). */
export function summaryTable(stages) {
  const rows = stages.map((s) => [
    s.name,
    s.status ?? (s.failed ? 'FAILED' : 'ok'),
    String(s.passed ?? 0),
    String(s.failed ?? 0),
    String(s.skipped ?? 0),
    s.seconds != null ? `${s.seconds.toFixed(1)} s` : '',
    s.cpuSeconds != null ? `${s.cpuSeconds.toFixed(1)} s${s.cpuShared ? ' (with another stage)' : ''}` : '',
    s.note ?? '',
  ]);
  const head = ['stage', 'status', 'passed', 'failed', 'skipped', 'time', 'cpu', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
}

/** Jest's JSON reports of the passes as one (counts summed, test files listed once each); a missing report stays missing. */
export function mergeJestReports(files, out) {
  const reports = files.filter((file) => fs.existsSync(file)).map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
  fs.rmSync(out, { force: true });
  if (reports.length < files.length) return; // parseJestLike reports the missing file as a crash
  const sum = (field) => reports.reduce((total, report) => total + (Number(report[field]) || 0), 0);
  const merged = {
    success: reports.every((report) => report.success !== false),
    testResults: reports.flatMap((report) => report.testResults ?? []),
  };
  for (const field of [
    'numPassedTests',
    'numFailedTests',
    'numPendingTests',
    'numTodoTests',
    'numTotalTests',
    'numPassedTestSuites',
    'numFailedTestSuites',
    'numPendingTestSuites',
    'numRuntimeErrorTestSuites',
    'numTotalTestSuites',
  ])
    merged[field] = sum(field);
  fs.writeFileSync(out, JSON.stringify(merged));
}
