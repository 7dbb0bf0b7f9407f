import type { ValueTransformer } from 'typeorm';

/** pg returns DECIMAL as a string (to keep precision); the API speaks numbers. NULL stays null. */
export const decimalColumn: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** pg returns BIGINT as a string; our counters stay far below 2^53. NULL reads as 0. */
export const bigintColumn: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? 0 : Number(value)),
};
