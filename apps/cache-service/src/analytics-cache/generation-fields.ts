import { CacheKeys } from '../redis/redis-keys.js';

/**
 * The meta hash's fields that describe one generation (what a swap writes for the generation it makes live). A swap
 * that retains the generation it replaces (GENERATION_RETENTION_SECONDS) moves them under PREVIOUS_PREFIX, with the
 * retired generation's number and its retirement and expiry times, so that a rollback can make it live again as it was.
 */
export const GENERATION_FIGURES = [
  'lastWarmed',
  'rows',
  'entries',
  'indexes',
  'bytes',
  'measures',
  'practices',
  'providers',
  'frequencies',
  'measureList',
  'sourceRows',
  'jobId',
  'dropped',
  // The refresh bookkeeping (RefreshRunner): a rolled-back generation must bring back its own watermark, or the next
  // incremental refresh would carry it forward as if it held the changes of the generation rolled back from.
  'watermark',
  'groupDir',
  'signature',
  'incrementals',
  // When the full warm the generation descends from was written (ms since the epoch; incremental ones carry it on).
  'fullAt',
  // Set by a rollback: the generation lacks what change data capture confirmed after it was written (RefreshPlanner).
  'rolledBack',
] as const;

export const PREVIOUS_PREFIX = 'prev:';

/** The meta fields of the retained previous generation: its number (named by layout, like the live pointer), times. */
export const PreviousFields = {
  generation: PREVIOUS_PREFIX + CacheKeys.liveField,
  retiredAt: `${PREVIOUS_PREFIX}retiredAt`,
  /** Milliseconds since the epoch, compared in Lua. */
  expiresAt: `${PREVIOUS_PREFIX}expiresAtMs`,
};

/** Every meta field of the retained generation, to drop them all at once. */
export const ALL_PREVIOUS_FIELDS = [
  PreviousFields.generation,
  PreviousFields.retiredAt,
  PreviousFields.expiresAt,
  ...GENERATION_FIGURES.map((field) => PREVIOUS_PREFIX + field),
];

/** A Lua table literal of strings. */
export const luaList = (items: readonly string[]): string => `{ ${items.map((item) => `'${item}'`).join(', ')} }`;
