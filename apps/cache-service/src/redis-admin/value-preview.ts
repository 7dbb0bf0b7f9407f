import type { DecodedCacheEntry } from '@ccc/shared-types';

/** Caps of every inspector preview: nothing bigger ever leaves Redis for one request. */
export const PREVIEW_LIMITS = {
  /** Bytes of a string read with GETRANGE, and total bytes of an aggregate's preview. */
  maxBytes: 64 * 1024,
  maxElements: 100,
  /** Bytes shown of one hash value, set member, list element … */
  maxElementBytes: 1024,
  /** Rows of a decoded analytics entry. */
  maxDecodedRows: 200,
} as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as text when they are UTF-8 (a cut in the middle of a character at the end is fine), else as hex.
 * `cut` says the bytes are a prefix of a longer value.
 */
export function bytesToText(bytes: Buffer, cut: boolean): { text: string; binary: boolean } {
  for (let trim = 0; trim <= (cut ? 3 : 0) && trim < bytes.length + 1; trim += 1) {
    try {
      const text = utf8.decode(bytes.subarray(0, bytes.length - trim));
      if (!text.includes('\u0000')) return { text, binary: false };
      break;
    } catch {
      // try a shorter prefix: the cut may have split a multi-byte character
    }
  }
  const shown = bytes.subarray(0, Math.min(bytes.length, PREVIEW_LIMITS.maxElementBytes));
  return { text: shown.toString('hex').replace(/(..)/g, '$1 ').trim(), binary: true };
}

/** One element of an aggregate, shortened to maxElementBytes. */
export function capElement(
  value: string,
  maxBytes: number = PREVIEW_LIMITS.maxElementBytes,
): { text: string; truncated: boolean } {
  if (Buffer.byteLength(value) <= maxBytes) return { text: value, truncated: false };
  const { text } = bytesToText(Buffer.from(value).subarray(0, maxBytes), true);
  return { text: `${text}…`, truncated: true };
}

/**
 * How many elements of an aggregate to fetch so that the reply stays near the byte cap, from its
 * MEMORY USAGE and length (a few huge elements must not be pulled in full).
 */
export function elementsToFetch(memoryBytes: number | null, length: number): number {
  if (length <= 0) return 0;
  const wanted = Math.min(length, PREVIEW_LIMITS.maxElements);
  if (!memoryBytes) return wanted;
  const perElement = memoryBytes / length;
  const fit = Math.floor((PREVIEW_LIMITS.maxBytes * 2) / Math.max(perElement, 1));
  return Math.max(1, Math.min(wanted, fit));
}

type Row = [string, number | string | null];

function isCoordinates(header: string): boolean {
  try {
    const parsed: unknown = JSON.parse(header);
    return Array.isArray(parsed) && parsed.length === 4 && parsed.every((part) => typeof part === 'string');
  } catch {
    return false;
  }
}

const isRow = (value: unknown): value is Row =>
  Array.isArray(value) &&
  value.length === 2 &&
  typeof value[0] === 'string' &&
  (typeof value[1] === 'number' || typeof value[1] === 'string' || value[1] === null);

/**
 * An analytics cache entry is its coordinates (a JSON array of 4 strings) and a newline, then a JSON array of
 * `[period, value]` pairs — or only the pairs, as layout 1 (a previous version) stored them. Decodes the rows, also
 * from a preview that was cut (the complete rows before the cut), or returns null when the text is something else.
 */
export function decodeCacheEntry(stored: string, cut: boolean): DecodedCacheEntry | null {
  const headerEnd = stored.indexOf('\n');
  if (headerEnd >= 0 && !isCoordinates(stored.slice(0, headerEnd))) return null;
  const text = stored.slice(headerEnd + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (!cut) return null;
    const lastRowEnd = text.lastIndexOf(']');
    if (lastRowEnd <= 0) return null;
    try {
      parsed = JSON.parse(`${text.slice(0, lastRowEnd + 1).replace(/,\s*$/, '')}]`);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(parsed) || !parsed.every(isRow)) return null;
  const rows = parsed as Row[];
  return {
    kind: 'analytics-entry',
    rowCount: rows.length,
    rows: rows.slice(0, PREVIEW_LIMITS.maxDecodedRows),
    truncated: cut || rows.length > PREVIEW_LIMITS.maxDecodedRows,
  };
}
