/**
 * Redis glob patterns (as SCAN MATCH reads them: `*`, `?`, `[abc]`, `[^a-z]`, `\x`), parsed so that we can
 * reject malformed ones and decide whether two patterns can match a common key.
 */

/** A set of characters: the union of `ranges` (code units), or its complement when `negated`. */
export interface CharSet {
  negated: boolean;
  ranges: Array<[number, number]>;
}

export type GlobToken = { kind: 'star' } | { kind: 'char'; set: CharSet };

export const MAX_PATTERN_LENGTH = 1024;

export class GlobSyntaxError extends Error {}

const literal = (ch: string): CharSet => ({ negated: false, ranges: [[ch.charCodeAt(0), ch.charCodeAt(0)]] });
const ANY: CharSet = { negated: true, ranges: [] };

/** Parses a pattern; throws GlobSyntaxError for what Redis would read in a surprising way. */
export function parseGlob(pattern: string): GlobToken[] {
  if (pattern.length === 0) throw new GlobSyntaxError('pattern must not be empty');
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new GlobSyntaxError(`pattern must be at most ${MAX_PATTERN_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(pattern)) throw new GlobSyntaxError('pattern must not contain control characters');
  const tokens: GlobToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
      i += 1;
    } else if (ch === '?') {
      tokens.push({ kind: 'char', set: ANY });
      i += 1;
    } else if (ch === '\\') {
      if (i + 1 >= pattern.length) throw new GlobSyntaxError('pattern must not end with a lone backslash');
      tokens.push({ kind: 'char', set: literal(pattern[i + 1]) });
      i += 2;
    } else if (ch === '[') {
      const set: CharSet = { negated: false, ranges: [] };
      let j = i + 1;
      if (pattern[j] === '^') {
        set.negated = true;
        j += 1;
      }
      let closed = false;
      while (j < pattern.length) {
        const c = pattern[j];
        if (c === '\\' && j + 1 < pattern.length) {
          set.ranges.push([pattern.charCodeAt(j + 1), pattern.charCodeAt(j + 1)]);
          j += 2;
        } else if (c === ']') {
          closed = true;
          j += 1;
          break;
        } else if (j + 2 < pattern.length && pattern[j + 1] === '-') {
          // As Redis reads it: `a-]` is a range up to ']', not a closing bracket.
          const a = pattern.charCodeAt(j);
          const b = pattern.charCodeAt(j + 2);
          set.ranges.push(a <= b ? [a, b] : [b, a]);
          j += 3;
        } else {
          set.ranges.push([c.charCodeAt(0), c.charCodeAt(0)]);
          j += 1;
        }
      }
      if (!closed) throw new GlobSyntaxError(`unclosed "[" at position ${i + 1}`);
      tokens.push({ kind: 'char', set });
      i = j;
    } else {
      tokens.push({ kind: 'char', set: literal(ch) });
      i += 1;
    }
  }
  return tokens;
}

/** The message for a malformed pattern, or null when it is fine. */
export function globProblem(pattern: string): string | null {
  try {
    parseGlob(pattern);
    return null;
  } catch (error) {
    if (error instanceof GlobSyntaxError) return error.message;
    throw error;
  }
}

const inRanges = (code: number, ranges: Array<[number, number]>): boolean =>
  ranges.some(([a, b]) => code >= a && code <= b);

function contains(set: CharSet, code: number): boolean {
  return inRanges(code, set.ranges) !== set.negated;
}

/** Is there a character both sets contain? */
function setsIntersect(a: CharSet, b: CharSet): boolean {
  if (a.negated && b.negated) return true; // both are complements of finite sets of a huge alphabet
  if (!a.negated && !b.negated) {
    return a.ranges.some(([a1, a2]) => b.ranges.some(([b1, b2]) => a1 <= b2 && b1 <= a2));
  }
  const [positive, negative] = a.negated ? [b, a] : [a, b];
  // Some character of the positive ranges that the negated set does not exclude.
  for (const [lo, hi] of positive.ranges) {
    let code = lo;
    while (code <= hi) {
      const blocker = negative.ranges.find(([n1, n2]) => code >= n1 && code <= n2);
      if (!blocker) return true;
      code = blocker[1] + 1;
    }
  }
  return false;
}

const isEmptySet = (set: CharSet): boolean => !set.negated && set.ranges.length === 0;

/**
 * Could some key match both patterns? Exact for Redis globs: a dynamic programme over the two token
 * lists, where a star either matches nothing or swallows one character the other side requires.
 */
export function globsOverlap(a: string | GlobToken[], b: string | GlobToken[]): boolean {
  const p = typeof a === 'string' ? parseGlob(a) : a;
  const q = typeof b === 'string' ? parseGlob(b) : b;
  const n = p.length;
  const m = q.length;
  // reach[i][j]: the suffixes p[i..] and q[j..] share a string.
  const reach: boolean[][] = Array.from({ length: n + 1 }, () => new Array<boolean>(m + 1).fill(false));
  for (let i = n; i >= 0; i -= 1) {
    for (let j = m; j >= 0; j -= 1) {
      if (i === n && j === m) {
        reach[i][j] = true;
        continue;
      }
      const pi = p[i];
      const qj = q[j];
      if (i === n) {
        reach[i][j] = qj.kind === 'star' && reach[i][j + 1];
      } else if (j === m) {
        reach[i][j] = pi.kind === 'star' && reach[i + 1][j];
      } else if (pi.kind === 'star' && qj.kind === 'star') {
        reach[i][j] = reach[i + 1][j] || reach[i][j + 1];
      } else if (pi.kind === 'star' && qj.kind === 'char') {
        reach[i][j] = reach[i + 1][j] || (!isEmptySet(qj.set) && reach[i][j + 1]);
      } else if (pi.kind === 'char' && qj.kind === 'star') {
        reach[i][j] = reach[i][j + 1] || (!isEmptySet(pi.set) && reach[i + 1][j]);
      } else if (pi.kind === 'char' && qj.kind === 'char') {
        reach[i][j] = setsIntersect(pi.set, qj.set) && reach[i + 1][j + 1];
      }
    }
  }
  return reach[0][0];
}

/** Does `key` match the pattern (Redis semantics)? */
export function globMatches(pattern: string | GlobToken[], key: string): boolean {
  const p = typeof pattern === 'string' ? parseGlob(pattern) : pattern;
  // Classic two-row DP over pattern tokens × key characters.
  let previous = new Array<boolean>(key.length + 1).fill(false);
  previous[key.length] = true;
  for (let i = p.length - 1; i >= 0; i -= 1) {
    const current = new Array<boolean>(key.length + 1).fill(false);
    const token = p[i];
    for (let j = key.length; j >= 0; j -= 1) {
      if (token.kind === 'star') current[j] = previous[j] || (j < key.length && current[j + 1]);
      else current[j] = j < key.length && contains(token.set, key.charCodeAt(j)) && previous[j + 1];
    }
    previous = current;
  }
  return previous[0];
}
