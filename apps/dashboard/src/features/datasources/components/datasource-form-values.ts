import {
  CRON_FIELD_COUNT,
  CRON_MAX_LENGTH,
  DATASOURCE_LIMITS,
  QUALIFIED_TABLE_PATTERN,
  SQL_IDENTIFIER_PATTERN,
  type ChangeDetection,
  type ColumnMapping,
  type CreateDatasourceRequest,
  type Datasource,
} from '@ccc/shared-types';

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
  changeDetection: ChangeDetection;
  watermarkColumn: string;
  fullRefreshEvery: string;
}

/** Messages keyed by the API's field path: `name`, `stalenessTtlSeconds`, `columnMapping.measure`, … */
export type FieldMessages = Record<string, string[]>;

const { stalenessTtlSeconds: TTL, minWarmIntervalSeconds: INTERVAL, fullRefreshEvery: FULL_EVERY } = DATASOURCE_LIMITS;

export function toFormValues(datasource?: Datasource): DatasourceFormValues {
  if (!datasource) {
    return {
      name: '',
      description: '',
      sourceTable: '',
      columnMapping: { measure: '', practice: '', provider: '', frequency: '', period: '', value: '' },
      stalenessTtlSeconds: String(TTL.default),
      minWarmIntervalSeconds: String(INTERVAL.default),
      warmSchedule: '',
      enabled: true,
      changeDetection: 'none',
      watermarkColumn: '',
      fullRefreshEvery: String(FULL_EVERY.default),
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
    changeDetection: datasource.changeDetection ?? 'none',
    watermarkColumn: datasource.watermarkColumn ?? '',
    fullRefreshEvery: String(datasource.fullRefreshEvery ?? FULL_EVERY.default),
  };
}

function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^\d{1,10}$/.test(trimmed) ? Number(trimmed) : null;
}

const seconds = (value: number) => `${value.toLocaleString('en-US')} s`;

/**
 * The service's rules for these fields (shared with it through @ccc/shared-types); what only the
 * service can know (the table and its columns exist, the cron expression parses) is its call.
 */
export function validateDatasourceForm(values: DatasourceFormValues): FieldMessages {
  const errors: FieldMessages = {};
  const required = (field: string, text: string, label: string) => {
    if (!text.trim()) errors[field] = [`${label} is required.`];
  };
  required('name', values.name, 'Name');
  if (values.name.trim().length > DATASOURCE_LIMITS.nameMaxLength) {
    errors.name = [`Name must be at most ${DATASOURCE_LIMITS.nameMaxLength} characters.`];
  }
  if (values.description.trim().length > DATASOURCE_LIMITS.descriptionMaxLength) {
    errors.description = [`Description must be at most ${DATASOURCE_LIMITS.descriptionMaxLength} characters.`];
  }
  required('sourceTable', values.sourceTable, 'Source table');
  if (values.sourceTable.trim() && !QUALIFIED_TABLE_PATTERN.test(values.sourceTable.trim())) {
    errors.sourceTable = ['Source table must be a table name, optionally schema-qualified (schema.table).'];
  }
  for (const field of COLUMN_MAPPING_FIELDS) {
    const text = values.columnMapping[field].trim();
    required(`columnMapping.${field}`, text, 'Column name');
    if (text && !SQL_IDENTIFIER_PATTERN.test(text)) {
      errors[`columnMapping.${field}`] = [
        'Use a plain column name: letters, digits and underscores, not starting with a digit.',
      ];
    }
  }

  const ttl = parseWholeNumber(values.stalenessTtlSeconds);
  if (ttl === null || ttl < TTL.min || ttl > TTL.max) {
    errors.stalenessTtlSeconds = [
      `Staleness TTL must be a whole number of seconds from ${seconds(TTL.min)} to ${seconds(TTL.max)} (30 days).`,
    ];
  }
  const interval = parseWholeNumber(values.minWarmIntervalSeconds);
  if (interval === null || interval < INTERVAL.min || interval > INTERVAL.max) {
    errors.minWarmIntervalSeconds = [
      `Minimum warm interval must be a whole number of seconds from ${INTERVAL.min} to ${seconds(INTERVAL.max)} (a day).`,
    ];
  }
  const watermark = values.watermarkColumn.trim();
  if (values.changeDetection === 'watermark' && !watermark) {
    errors.watermarkColumn = ['Watermark column is required for change detection by watermark.'];
  } else if (watermark && !SQL_IDENTIFIER_PATTERN.test(watermark)) {
    errors.watermarkColumn = ['Use a plain column name: letters, digits and underscores, not starting with a digit.'];
  }
  const every = parseWholeNumber(values.fullRefreshEvery);
  if (every === null || every < FULL_EVERY.min || every > FULL_EVERY.max) {
    errors.fullRefreshEvery = [`Full warm every must be a whole number from ${FULL_EVERY.min} to ${FULL_EVERY.max}.`];
  }
  const cron = values.warmSchedule.trim();
  const fields = cron ? cron.split(/\s+/).length : 0;
  if (cron.length > CRON_MAX_LENGTH) {
    errors.warmSchedule = [`Warm schedule must be at most ${CRON_MAX_LENGTH} characters.`];
  } else if (cron && (fields < CRON_FIELD_COUNT.min || fields > CRON_FIELD_COUNT.max)) {
    errors.warmSchedule = ['A cron expression has 5 fields (minute hour day month weekday), e.g. 0 */4 * * *.'];
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
    changeDetection: values.changeDetection,
    watermarkColumn: values.watermarkColumn.trim() || null,
    fullRefreshEvery: Number(values.fullRefreshEvery.trim()),
  };
}
