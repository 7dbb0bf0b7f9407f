// npm test's `checks` stage: repository checks that need no servers and no build. One test per Markdown file's
// links, one for the lockfile, one for the service's dependency rules, one each for ESLint and Prettier.
import { checkDocLinks, docFiles } from './doc-links.mjs';
import { dependencyViolations } from './dependency-rules.mjs';
import { runStyleChecks } from './lint.mjs';
import { lockfileGaps } from './lockfile.mjs';

const log = (ok, text) => console.log(`[checks] ${ok ? 'ok  ' : 'FAIL'} ${text}`);

/** Runs every check, printing one line each; returns the stage result ({passed, failed, skipped, note}). */
export function runChecks(repoRoot) {
  let passed = 0;
  const problems = [];
  for (const r of checkDocLinks(repoRoot, docFiles(repoRoot))) {
    if (r.problems.length) problems.push(...r.problems);
    else passed += 1;
    log(!r.problems.length, `${r.file}: ${r.links} link(s)${r.problems.map((p) => `\n[checks]      ${p}`).join('')}`);
  }
  const gaps = lockfileGaps();
  if (gaps.length) {
    problems.push('package-lock.json: lacks optional packages');
    log(
      false,
      `package-lock.json lacks other platforms' optional packages of ${gaps.map((g) => `${g.name}@${g.version}`).join(', ')}` +
        ' (node scripts/lib/lockfile.mjs --fix)',
    );
  } else {
    passed += 1;
    log(true, "package-lock.json lists every platform's optional packages");
  }
  const deps = dependencyViolations();
  if (deps.error || deps.violations.length) {
    problems.push(
      `apps/cache-service/.dependency-cruiser.cjs: ${deps.error ?? `${deps.violations.length} violation(s)`}`,
    );
    log(
      false,
      `service dependency rules: ${deps.error ?? deps.violations.map((v) => `\n[checks]      ${v}`).join('')}`,
    );
  } else {
    passed += 1;
    log(
      true,
      `service dependency rules: no folder cycle, entities import entities only, the worker loads no HTTP API (${deps.modules} modules)`,
    );
  }
  for (const r of runStyleChecks()) {
    if (r.ok) passed += 1;
    else problems.push(`${r.name}: ${r.fix}`);
    const detail = r.ok
      ? ''
      : `\n${r.output
          .split('\n')
          .slice(-40)
          .map((l) => `[checks]      ${l}`)
          .join('\n')}\n[checks]      fix: ${r.fix}`;
    log(r.ok, `${r.name}${detail}`);
  }
  const failedFiles = new Set(problems.map((p) => p.split(':')[0])).size;
  return { passed, failed: failedFiles, skipped: 0, note: problems.length ? `${problems.length} problem(s)` : '' };
}
