import type { ColumnMapping } from '@ccc/shared-types';

export interface DemoDataset {
  name: string;
  description: string;
  table: string;
  columns: ColumnMapping;
  measures: string[];
  practices: number;
  /** Providers per practice at scale 1; the row count grows with it. */
  providersPerPractice: number;
  stalenessTtlSeconds: number;
  warmSchedule: string | null;
}

export const DEMO_SCHEMA = 'demo_analytics';

const STANDARD_COLUMNS: ColumnMapping = {
  measure: 'measure',
  practice: 'practice_id',
  provider: 'provider_id',
  frequency: 'frequency',
  period: 'period_date',
  value: 'value',
};

/** Periods generated per (measure, practice, provider) for each frequency: 264 rows in all. */
export const DEMO_PERIODS: Array<{ frequency: string; count: number; step: string }> = [
  { frequency: 'Daily', count: 180, step: '1 day' },
  { frequency: 'Weekly', count: 52, step: '7 days' },
  { frequency: 'Monthly', count: 24, step: '1 month' },
  { frequency: 'Quarterly', count: 8, step: '3 months' },
];

/** Shaped like the seed's examples; "Revenue Analytics" is the largest (~250k rows at scale 1). */
export const DEMO_DATASETS: DemoDataset[] = [
  {
    name: 'Revenue Analytics',
    description: 'Charges, payments and adjustments per practice and provider',
    table: `${DEMO_SCHEMA}.revenue_facts`,
    columns: STANDARD_COLUMNS,
    measures: ['Charges', 'Payments', 'Adjustments', 'Refunds'],
    practices: 16,
    providersPerPractice: 15,
    stalenessTtlSeconds: 4 * 3600,
    warmSchedule: '0 */4 * * *',
  },
  {
    name: 'Operational Metrics',
    description: 'Visits, no-shows, cancellations and wait times',
    table: `${DEMO_SCHEMA}.operational_facts`,
    columns: STANDARD_COLUMNS,
    measures: ['Visits', 'No Shows', 'Cancellations', 'Wait Time Minutes'],
    practices: 12,
    providersPerPractice: 10,
    stalenessTtlSeconds: 4 * 3600,
    warmSchedule: null,
  },
  {
    name: 'Clinical Data',
    description: 'Quality measures; its table uses its own column names',
    table: `${DEMO_SCHEMA}.clinical_facts`,
    columns: {
      measure: 'metric_name',
      practice: 'clinic_id',
      provider: 'clinician_id',
      frequency: 'granularity',
      period: 'period_start',
      value: 'metric_value',
    },
    measures: ['Readmissions', 'A1c Control Rate', 'BP Control Rate'],
    practices: 10,
    providersPerPractice: 8,
    stalenessTtlSeconds: 12 * 3600,
    warmSchedule: null,
  },
  {
    name: 'Patient Experience',
    description: 'Survey scores and complaints',
    table: `${DEMO_SCHEMA}.patient_experience_facts`,
    columns: STANDARD_COLUMNS,
    measures: ['Net Promoter Score', 'Satisfaction Score', 'Complaints'],
    practices: 8,
    providersPerPractice: 5,
    stalenessTtlSeconds: 24 * 3600,
    warmSchedule: null,
  },
  {
    name: 'Pharmacy Utilization',
    description: 'Prescriptions, generic rate and cost per script',
    table: `${DEMO_SCHEMA}.pharmacy_facts`,
    columns: STANDARD_COLUMNS,
    measures: ['Prescriptions', 'Generic Rate', 'Cost Per Script'],
    practices: 6,
    providersPerPractice: 4,
    stalenessTtlSeconds: 8 * 3600,
    warmSchedule: null,
  },
];
