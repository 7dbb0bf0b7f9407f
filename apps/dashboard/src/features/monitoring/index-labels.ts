import type { IndexType, IndexUsagePattern, MaintenanceWindow } from '@ccc/shared-types';

export const INDEX_TYPE_LABELS: Record<IndexType, string> = {
  BTREE: 'B-tree',
  HASH: 'Hash',
  GIN: 'GIN',
  GIST: 'GiST',
  PARTIAL: 'Partial (B-tree with condition)',
  COMPOSITE: 'Composite (B-tree, several columns)',
  FUNCTIONAL: 'Functional',
};

export const USAGE_PATTERN_LABELS: Record<IndexUsagePattern, string> = {
  LOOKUP: 'Lookups',
  RANGE_SCAN: 'Range scans',
  SORT: 'Sorting',
  JOIN: 'Joins',
  FULL_TEXT: 'Full-text search',
  ANALYTICS: 'Analytics',
};

export const WINDOW_LABELS: Record<MaintenanceWindow, string> = {
  IMMEDIATE: 'Immediately',
  OFF_PEAK: 'Off-peak hours',
  WEEKEND: 'Weekend',
  SCHEDULED: 'At a set time',
};
