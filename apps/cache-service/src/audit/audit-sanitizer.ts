import { safeText } from '../common/input-guard.js';

// Redis tools send a `key` field (a key name, not a secret): only credential-like names are redacted.
const SECRET_KEY = /pass(word|phrase)?|secret|token|api[-_]?key|authori[sz]ation|credential|private|signature/i;
const MAX_STRING = 500;
const MAX_KEY = 100;
const MAX_ITEMS = 50;
const MAX_DEPTH = 4;
/** A trail row stays small whatever the request carried; past this the parameters are summarised. */
const MAX_PARAMETERS_JSON = 16_384;

/**
 * At most `max` UTF-16 units of a text, never cutting a surrogate pair in two (half a pair is not a
 * character: PostgreSQL refuses it in jsonb, which used to cost the whole audit row), NUL and unpaired
 * surrogates replaced by U+FFFD, and `…` marking a cut.
 */
export function boundedText(text: string, max: number): string {
  const clean = safeText(text);
  if (clean.length <= max) return clean;
  let end = max - 1;
  const last = clean.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${clean.slice(0, end)}…`;
}

/** Copies request parameters for the trail without secrets and without unbounded or unstorable values. */
export function sanitizeParameters(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return boundedText(value, MAX_STRING);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'object') return boundedText(String(value), MAX_STRING);
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => sanitizeParameters(item, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `[${value.length - MAX_ITEMS} more]`] : items;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of entries.slice(0, MAX_ITEMS)) {
    // defineProperty: a key named __proto__ is kept as data, not taken as the copy's prototype.
    Object.defineProperty(copy, boundedText(key, MAX_KEY), {
      value: SECRET_KEY.test(key) ? '[redacted]' : sanitizeParameters(item, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (entries.length > MAX_ITEMS) copy['[more keys]'] = entries.length - MAX_ITEMS;
  return copy;
}

/** The parameters of one trail row: sanitised, and summarised when still too large. */
export function auditParameters(
  parameters: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (parameters === null || parameters === undefined) return null;
  const sanitized = sanitizeParameters(parameters) as Record<string, unknown>;
  const size = JSON.stringify(sanitized).length;
  if (size <= MAX_PARAMETERS_JSON) return sanitized;
  return { '[too large]': size, keys: Object.keys(sanitized).slice(0, MAX_ITEMS) };
}
