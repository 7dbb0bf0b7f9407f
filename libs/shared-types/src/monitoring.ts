/**
 * Monitoring & analytics (seeds 000 "Cache Monitoring & Analytics" and 003 "Performance Monitoring &
 * Index Management"). JSON field names are the seed's column names in camelCase; ids are the seed's
 * UUIDs, plus the numeric `datasourceId` the rest of the API uses.
 * All endpoints live under `/api/admin/monitoring/…`: reads need `settings:read:all`, changes
 * `settings:write:all`.
 */

export * from './monitoring-alerts.js';
export * from './monitoring-insights.js';
export * from './monitoring-forecast.js';
export * from './monitoring-db.js';
export * from './monitoring-remediation.js';

// ---------------------------------------------------------------------------------------------
// Periodic tasks (run by one replica under a Redis lease)
// ---------------------------------------------------------------------------------------------

export const MONITORING_TASKS = [
  'alert-evaluation',
  'usage-rollup',
  'recommendations',
  'index-collection',
  'index-apply',
  'query-log-retention',
  'cache-janitor',
] as const;
export type MonitoringTask = (typeof MONITORING_TASKS)[number];
