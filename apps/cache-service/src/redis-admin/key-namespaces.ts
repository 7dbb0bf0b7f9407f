import type { KeyNamespace } from '@ccc/shared-types';
import { KeyNamespacePatterns } from '../redis/redis-keys.js';
import { globsOverlap, parseGlob, type GlobToken } from './redis-glob.js';

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
  ['rateLimit', 'rate-limit'],
  ['lease', 'lease'],
  ['service', 'service'],
];

const COMPILED = CLASSIFICATION.map(([name, namespace]) => ({
  name,
  namespace,
  pattern: KeyNamespacePatterns[name].pattern,
  shape: KeyNamespacePatterns[name].shape,
  isProtected: KeyNamespacePatterns[name].protected,
  tokens: parseGlob(KeyNamespacePatterns[name].pattern),
}));

const PROTECTED = COMPILED.filter((entry) => entry.isProtected);

/**
 * The namespace a key belongs to: only a key of the exact shape the service builds (redis-keys.ts) is the service's;
 * `cache:anything`, `lock:anything` or `bull:*` of another application sharing the Redis is `other`.
 */
export function classifyKey(key: string): KeyNamespace {
  return COMPILED.find((entry) => entry.shape.test(key))?.namespace ?? 'other';
}

export function isProtectedKey(key: string): boolean {
  return PROTECTED.some((entry) => entry.shape.test(key));
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

const DS_TAG = /\{ds:(\d+)\}/;

/** The datasource id in a key's hash tag, if any. */
export function datasourceIdOf(key: string): number | null {
  const match = DS_TAG.exec(key);
  return match ? Number(match[1]) : null;
}
