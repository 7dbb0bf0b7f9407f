/**
 * A bounded map that forgets the least recently used entry when full, and entries older than their age limit.
 * Credential caches use it: a flood of distinct credentials pushes out the oldest entries one by one instead of
 * emptying the whole cache (which would send every valid credential back to the database at once).
 */
export class LruCache<K, V> {
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently used entry first.
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.until <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores the value until `maxAgeMs` from now, or until `until` when that is sooner (a token's own expiry). */
  set(key: K, value: V, until = Infinity, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: Math.min(now + this.maxAgeMs, until) });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Removes every entry whose value matches (a revoked key, a disabled user's keys). Rare, so a full pass is fine. */
  deleteWhere(predicate: (value: V, key: K) => boolean): void {
    for (const [key, entry] of this.entries) if (predicate(entry.value, key)) this.entries.delete(key);
  }
}
