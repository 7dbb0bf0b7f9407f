import type { ColumnMapping, CreateDatasourceRequest, Datasource } from '@ccc/shared-types';

export const COLUMN_MAPPING_FIELDS = [
  'measure',
  'practice',
  'provider',
  'frequency',
  'period',
  'value',
] as const satisfies ReadonlyArray<keyof ColumnMapping>;

/** What the inputs hold: text as typed, converted to the request only on submit. */
export interface DatasourceFormValues {
  name: string;
  description: string;
  sourceTable: string;
  columnMapping: Record<keyof ColumnMapping, string>;
  stalenessTtlSeconds: string;
  minWarmIntervalSeconds: string;
  warmSchedule: string;
  enabled: boolean;
}

/** Messages keyed by the API's field path: `name`, `stalenessTtlSeconds`, `columnMapping.measure`, … */
export type FieldMessages = Record<string, string[]>;

const DEFAULT_STALENESS_TTL_SECONDS = 4 * 3600;
const DEFAULT_MIN_WARM_INTERVAL_SECONDS = 300;
/** PostgreSQL `integer` upper bound. */
const MAX_INT = 2_147_483_647;

export function toFormValues(datasource?: Datasource): DatasourceFormValues {
  if (!datasource) {
    return {
      name: '',
      description: '',
      sourceTable: '',
      columnMapping: { measure: '', practice: '', provider: '', frequency: '', period: '', value: '' },
      stalenessTtlSeconds: String(DEFAULT_STALENESS_TTL_SECONDS),
      minWarmIntervalSeconds: String(DEFAULT_MIN_WARM_INTERVAL_SECONDS),
      warmSchedule: '',
      enabled: true,
    };
  }
  return {
    name: datasource.name,
    description: datasource.description ?? '',
    sourceTable: datasource.sourceTable,
    columnMapping: { ...datasource.columnMapping },
    stalenessTtlSeconds: String(datasource.stalenessTtlSeconds),
    minWarmIntervalSeconds: String(datasource.minWarmIntervalSeconds),
    warmSchedule: datasource.warmSchedule ?? '',
    enabled: datasource.enabled,
  };
}

function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value <= MAX_INT ? value : null;
}

/** The obvious checks; everything else (cron syntax, table existence, …) is the server's call. */
export function validateDatasourceForm(values: DatasourceFormValues): FieldMessages {
  const errors: FieldMessages = {};
  const required = (field: string, text: string, label: string) => {
    if (!text.trim()) errors[field] = [`${label} is required.`];
  };
  required('name', values.name, 'Name');
  required('sourceTable', values.sourceTable, 'Source table');
  for (const field of COLUMN_MAPPING_FIELDS) {
    required(`columnMapping.${field}`, values.columnMapping[field], 'Column name');
  }

  const ttl = parseWholeNumber(values.stalenessTtlSeconds);
  if (ttl === null || ttl < 1) {
    errors.stalenessTtlSeconds = ['Staleness TTL must be a positive whole number of seconds.'];
  }
  const interval = parseWholeNumber(values.minWarmIntervalSeconds);
  if (interval === null) {
    errors.minWarmIntervalSeconds = ['Minimum warm interval must be a whole number of seconds (0 or more).'];
  }
  return errors;
}

/** Converts valid form values to the request body (call only when validation passed). */
export function toDatasourceRequest(values: DatasourceFormValues): CreateDatasourceRequest {
  const columnMapping = Object.fromEntries(
    COLUMN_MAPPING_FIELDS.map((field) => [field, values.columnMapping[field].trim()]),
  ) as unknown as ColumnMapping;
  return {
    name: values.name.trim(),
    description: values.description.trim() || null,
    sourceTable: values.sourceTable.trim(),
    columnMapping,
    stalenessTtlSeconds: Number(values.stalenessTtlSeconds.trim()),
    minWarmIntervalSeconds: Number(values.minWarmIntervalSeconds.trim()),
    warmSchedule: values.warmSchedule.trim() || null,
    enabled: values.enabled,
  };
}
