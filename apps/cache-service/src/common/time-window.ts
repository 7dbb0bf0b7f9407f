import { AppError } from './app-error.js';

export interface TimeWindow {
  from: Date;
  to: Date;
}

/**
 * A [from, to) window from optional ISO query parameters: defaults to the last `defaultMs` before `to`
 * (default now); `from` must lie before `to` and the span must not exceed `maxMs` — each refused with a 400
 * naming the parameter.
 */
export function parseWindow(
  query: { from?: string | Date; to?: string | Date },
  options: { defaultMs: number; maxMs: number; now?: Date },
): TimeWindow {
  const to = query.to === undefined ? (options.now ?? new Date()) : toDate(query.to, 'to');
  const from = query.from === undefined ? new Date(to.getTime() - options.defaultMs) : toDate(query.from, 'from');
  if (from.getTime() >= to.getTime()) throw AppError.invalidField('from', 'from must be before to');
  if (to.getTime() - from.getTime() > options.maxMs) {
    throw AppError.invalidField('from', `the window from … to may span at most ${describe(options.maxMs)}`);
  }
  return { from, to };
}

/** YYYY-MM-DD of a UTC day. */
export const utcDay = (date: Date): string => date.toISOString().slice(0, 10);

function toDate(value: string | Date, field: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw AppError.invalidField(field, `${field} must be an ISO 8601 date-time`);
  return date;
}

function describe(ms: number): string {
  const days = ms / 86_400_000;
  return Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : `${Math.round(ms / 3_600_000)} hours`;
}
