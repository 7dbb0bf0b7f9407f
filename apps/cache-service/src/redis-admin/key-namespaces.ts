import type { KeyNamespace } from '@ccc/shared-types';
import { KeyNamespacePatterns } from '../redis/redis-keys.js';
import { globMatches, globsOverlap, parseGlob, type GlobToken } from './redis-glob.js';

type PatternName = keyof typeof KeyNamespacePatterns;

/** Namespace of each pattern of redis-keys.ts; the first match wins, so specific patterns come first. */
const CLASSIFICATION: Array<[PatternName, KeyNamespace]> = [
  ['analyticsMeta', 'analytics-meta'],
  ['analyticsEntry', 'analytics-entry'],
  ['analyticsIndex', 'analytics-index'],
  ['analyticsStats', 'analytics-stats'],
  ['analyticsUsage', 'analytics-stats'],
  ['lock', 'lock'],
  ['queue', 'queue'],
  ['legacyQueue', 'queue'],
  ['rateLimit', 'rate-limit'],
  ['lease', 'lease'],
  ['service', 'service'],
];

const COMPILED = CLASSIFICATION.map(([name, namespace]) => ({
  name,
  namespace,
  pattern: KeyNamespacePatterns[name].pattern,
  isProtected: KeyNamespacePatterns[name].protected,
  tokens: parseGlob(KeyNamespacePatterns[name].pattern),
}));

const PROTECTED = COMPILED.filter((entry) => entry.isProtected);

/** The namespace a key belongs to, by the patterns of redis-keys.ts. */
export function classifyKey(key: string): KeyNamespace {
  // Cheap prefix test first: every namespace pattern starts with a literal prefix.
  for (const entry of COMPILED) {
    if (key.startsWith(literalPrefix(entry.pattern)) && globMatches(entry.tokens, key)) return entry.namespace;
  }
  return 'other';
}

export function isProtectedKey(key: string): boolean {
  return PROTECTED.some((entry) => key.startsWith(literalPrefix(entry.pattern)) && globMatches(entry.tokens, key));
}

/**
 * The protected namespace patterns a user pattern could reach: `*` reaches all of them, `cache:*` reaches
 * `cache:meta:*`, `cache:{ds:1}:g2:*` none. Exact for Redis globs (see globsOverlap).
 */
export function protectedPatternsReachedBy(pattern: string | GlobToken[]): string[] {
  const tokens = typeof pattern === 'string' ? parseGlob(pattern) : pattern;
  return PROTECTED.filter((entry) => globsOverlap(tokens, entry.tokens)).map((entry) => entry.pattern);
}

export const PROTECTED_PATTERNS: readonly string[] = PROTECTED.map((entry) => entry.pattern);

function literalPrefix(pattern: string): string {
  const stop = pattern.search(/[*?[\\]/);
  return stop < 0 ? pattern : pattern.slice(0, stop);
}

const DS_TAG = /\{ds:(\d+)\}/;

/** The datasource id in a key's hash tag, if any. */
export function datasourceIdOf(key: string): number | null {
  const match = DS_TAG.exec(key);
  return match ? Number(match[1]) : null;
}
