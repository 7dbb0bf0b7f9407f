import 'reflect-metadata';
import './resolve-ts-imports.cjs';
import { DataSource } from 'typeorm';
import { testEnv } from './env.js';

/** Fails fast with a clear message when the test services are missing, and migrates the test database once. */
export default async function globalSetup(): Promise<void> {
  testEnv();
  // Loaded after the resolver hook above (static imports would be hoisted before it).
  const { loadConfig } = await import('../../src/config/app-config.js');
  const { dataSourceOptions } = await import('../../src/database/data-source-options.js');
  const { runMigrations } = await import('../../src/database/migrate.js');
  const { preflight } = await import('../../src/preflight.js');
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const problems = await preflight(config);
  if (problems.length > 0) throw new Error(`Test services are not reachable: ${problems.join(' ')}`);
  const db = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    await runMigrations(db);
  } finally {
    await db.destroy();
  }
}
