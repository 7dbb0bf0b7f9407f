// Every relative link of README.md and docs/*.md must resolve inside the repository, to a file that a clone
// has (tracked by git), and every #anchor to a heading of its target (GitHub's heading ids).
// Links with a scheme (https:, mailto:) are left alone: they are not the repository's to keep.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** GitHub's id of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2 ... */
export function headingIds(markdown) {
  const ids = new Set();
  const seen = new Map();
  for (const line of stripCode(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, '')
      .replace(/[`*~]/g, '');
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** The text with fenced code blocks and inline code spans blanked (links inside them are examples). */
function stripCode(markdown) {
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return '';
      }
      return inFence ? '' : line.replace(/`[^`]*`/g, '``');
    })
    .join('\n');
}

/** [{ line, target }] for inline links/images and reference definitions. */
export function linksOf(markdown) {
  const out = [];
  stripCode(markdown)
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(/!?\[(?:[^\]]|\][^(])*?\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
        out.push({ line: i + 1, target: m[1] });
      const ref = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(line);
      if (ref) out.push({ line: i + 1, target: ref[1] });
    });
  return out;
}

function trackedFiles(repoRoot) {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return r.status === 0 ? new Set(r.stdout.split('\0').filter(Boolean)) : null;
}

/**
 * Checks the links of `files` (paths relative to repoRoot). Returns [{ file, links, problems: [string] }].
 * Files untracked but not ignored count as present (a new doc before its first commit).
 */
export function checkDocLinks(repoRoot, files) {
  const tracked = trackedFiles(repoRoot);
  const present = (rel) => {
    if (tracked) return tracked.has(rel) || [...tracked].some((f) => f.startsWith(`${rel}/`));
    return fs.existsSync(path.join(repoRoot, rel));
  };
  const idsCache = new Map();
  const idsOf = (rel) => {
    if (!idsCache.has(rel)) idsCache.set(rel, headingIds(fs.readFileSync(path.join(repoRoot, rel), 'utf8')));
    return idsCache.get(rel);
  };
  return files.map((file) => {
    const problems = [];
    const links = linksOf(fs.readFileSync(path.join(repoRoot, file), 'utf8'));
    for (const { line, target } of links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
      const [rawPath, anchor] = target.split('#', 2);
      const where = `${file}:${line} -> ${target}`;
      const resolved = rawPath ? path.normalize(path.join(path.dirname(file), decodeURIComponent(rawPath))) : file;
      if (resolved.startsWith('..') || path.isAbsolute(resolved)) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      const rel = resolved.split(path.sep).join('/').replace(/\/$/, '');
      if (!present(rel)) {
        problems.push(`${where}: ${rel} is not in the repository`);
        continue;
      }
      if (anchor !== undefined && rel.endsWith('.md') && !idsOf(rel).has(anchor)) {
        problems.push(`${where}: no heading #${anchor} in ${rel}`);
      }
    }
    return { file, links: links.length, problems };
  });
}

/** README.md and every Markdown file under docs/. */
export function docFiles(repoRoot) {
  const docs = path.join(repoRoot, 'docs');
  const walk = (dir) =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory()
          ? walk(path.join(dir, e.name))
          : e.name.endsWith('.md')
            ? [path.relative(repoRoot, path.join(dir, e.name)).split(path.sep).join('/')]
            : [],
      );
  return ['README.md', ...(fs.existsSync(docs) ? walk(docs).sort() : [])];
}
