export interface ConfigDiffRow {
  key: string;
  /** undefined: the key is not in that configuration. */
  current: unknown;
  recommended: unknown;
  changed: boolean;
}

function stable(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * The keys of both configurations side by side: every key of either, in the order they first appear
 * (current's keys, then keys only the recommendation has), each marked changed when the values differ.
 */
export function diffConfigs(current: Record<string, unknown>, recommended: Record<string, unknown>): ConfigDiffRow[] {
  const keys = [...new Set([...Object.keys(current), ...Object.keys(recommended)])];
  return keys.map((key) => {
    const before = Object.hasOwn(current, key) ? current[key] : undefined;
    const after = Object.hasOwn(recommended, key) ? recommended[key] : undefined;
    return { key, current: before, recommended: after, changed: stable(before) !== stable(after) };
  });
}

/** A configuration value for people: null → "none", 14400 → "14400", objects as compact JSON. */
export function formatConfigValue(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return 'none';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
