export * from './auth.js';
export * from './errors.js';
export * from './common.js';
export * from './datasources.js';
export * from './audit.js';
export * from './analytics-cache.js';
export * from './redis-admin.js';
export * from './monitoring.js';
