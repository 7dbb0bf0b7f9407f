// The style checks of `npm test`'s checks stage: ESLint (with type-aware promise rules on the service) and
// Prettier's --check, over the whole repository. Each is one test; a failure prints what to run to fix it.
import { spawnSync } from 'node:child_process';
import { binPath, repoRoot } from './infra.mjs';

const TOOLS = [
  {
    name: 'eslint',
    args: ['.', '--max-warnings', '0'],
    fix: 'npm run lint (and fix what it names; `npx eslint . --fix` does the mechanical ones)',
  },
  { name: 'prettier', args: ['--check', '.', '--log-level', 'warn'], fix: 'npm run format' },
];

/** Runs each tool; returns [{ name, ok, output, fix }]. A missing tool is a failure, not a skip. */
export function runStyleChecks() {
  return TOOLS.map((tool) => {
    const bin = binPath(tool.name);
    if (!bin) return { name: tool.name, ok: false, output: `${tool.name} is not installed (npm ci)`, fix: 'npm ci' };
    const res = spawnSync(bin, tool.args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
    return { name: tool.name, ok: res.status === 0, output, fix: tool.fix };
  });
}
